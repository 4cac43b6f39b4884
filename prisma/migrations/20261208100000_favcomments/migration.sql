-- Favourites ("Collect") and comments on packages (issue 21, points 1-2).

-- A user's favourite: a package (function ''), one function of a package (its qualified name), or
-- an author (a user). Who may see what is decided when favourites are read, never stored here: a
-- package that turns private drops out of the lists and counts of those who may no longer see it.
CREATE TABLE "Favourite" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "packageId" TEXT,
    "function" TEXT NOT NULL DEFAULT '',
    "authorId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Favourite_pkey" PRIMARY KEY ("id"),
    -- exactly one target: a package (maybe with a function) or an author
    CONSTRAINT "Favourite_target" CHECK (("packageId" IS NOT NULL AND "authorId" IS NULL) OR ("packageId" IS NULL AND "authorId" IS NOT NULL AND "function" = ''))
);
CREATE UNIQUE INDEX "Favourite_userId_packageId_function_key" ON "Favourite"("userId", "packageId", "function");
CREATE UNIQUE INDEX "Favourite_userId_authorId_key" ON "Favourite"("userId", "authorId");
-- the counts on a page of cards: one index range per package
CREATE INDEX "Favourite_packageId_function_idx" ON "Favourite"("packageId", "function");
CREATE INDEX "Favourite_authorId_idx" ON "Favourite"("authorId");
ALTER TABLE "Favourite" ADD CONSTRAINT "Favourite_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Favourite" ADD CONSTRAINT "Favourite_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "Package"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Favourite" ADD CONSTRAINT "Favourite_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A comment on a package: Markdown source (rendered when read), edited in place by its author
-- (editedAt, edits), hidden by an admin (hiddenAt, hiddenById, hiddenReason; audited).
CREATE TABLE "Comment" (
    "id" TEXT NOT NULL,
    "packageId" TEXT NOT NULL,
    "authorId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "editedAt" TIMESTAMP(3),
    "edits" INTEGER NOT NULL DEFAULT 0,
    "hiddenAt" TIMESTAMP(3),
    "hiddenById" TEXT,
    "hiddenReason" TEXT NOT NULL DEFAULT '',
    CONSTRAINT "Comment_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "Comment_packageId_createdAt_id_idx" ON "Comment"("packageId", "createdAt", "id");
CREATE INDEX "Comment_authorId_idx" ON "Comment"("authorId");
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_packageId_fkey" FOREIGN KEY ("packageId") REFERENCES "Package"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "Comment" ADD CONSTRAINT "Comment_hiddenById_fkey" FOREIGN KEY ("hiddenById") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;
