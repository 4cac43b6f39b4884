-- Grants follow published code, and granted tools stay off the hub's own network (issue 16).
--
-- A grant now says what `Cr(host=True)` gets (`network`): nothing, the run's own bridge (with
-- NET_RAW when granted: raw packets on a network only the run's containers share), the host's
-- network (refused on the hub's machine unless an admin turns on the unsafe setting), or a LAN
-- segment (`macvlan`: parent interface and addresses). `hostNetwork = true` meant the host's
-- network and keeps meaning it.
--
-- A grant names the functions it covers (`modes`, qualified names such as `nmap.alive`); empty
-- covers every function of the package except raw command-line modes (a parameter `argv`, or a
-- function named `raw`: runner/src/manifest/modes.ts), which existing grants no longer cover
-- unless an admin names them.
ALTER TABLE "Grant" ADD COLUMN "network" TEXT NOT NULL DEFAULT 'none';
ALTER TABLE "Grant" ADD COLUMN "macvlan" JSONB;
ALTER TABLE "Grant" ADD COLUMN "modes" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
UPDATE "Grant" SET "network" = 'host' WHERE "hostNetwork";
ALTER TABLE "Grant" DROP COLUMN "hostNetwork";
ALTER TABLE "Grant" ADD CONSTRAINT "Grant_network_check" CHECK ("network" IN ('none', 'bridge', 'host', 'macvlan'));
ALTER TABLE "Grant" ADD CONSTRAINT "Grant_macvlan_check" CHECK (("network" = 'macvlan') = ("macvlan" IS NOT NULL));

-- Whether a worker's engine runs on the hub's own machine (the hub compares the kernel boot id the
-- worker's engine reports with its own at registration): host networking is refused there.
ALTER TABLE "Worker" ADD COLUMN "hubMachine" BOOLEAN NOT NULL DEFAULT true;
