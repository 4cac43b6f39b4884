import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/**", ".next/**", "runner/python/**", "examples/**", "**/*.mjs"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/no-explicit-any": "error",
    },
  },
  {
    // the runner is a library of its own: it knows Docker and Mongo, not the hub
    files: ["runner/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: ["next", "next/*", "react", "@prisma/*", "next-auth", "**/lib/*", "**/app/*", "**/components/*"] }],
    },
  },
  {
    // the runner's own tests may use the hub's one scan target (lib/testing/netns-target.ts: host
    // network namespaces only, nothing of the hub) and nothing else of lib/
    files: ["runner/test/**/*.ts"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            { group: ["next", "next/*", "react", "@prisma/*", "next-auth", "**/app/*", "**/components/*"] },
            { regex: "(^|/)lib/(?!testing/netns-target\\.ts$)", message: "the runner knows nothing of the hub (lib/); its tests may use lib/testing/netns-target.ts only" },
          ],
        },
      ],
    },
  },
);
