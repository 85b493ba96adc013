import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["node_modules/", "bin/", "test-output/", "www/dist/", "local/agent-console/dist/", "bench/.work/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_" }],
      // Pulumi components are created for their side effects.
      "no-new": "off",
    },
  },
  {
    // Plain CommonJS scripts run in fresh Node processes by the benchmark.
    files: ["bench/**/*.js"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", process: "readonly", exports: "writable" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["local/connect-emulator.ts", "local/participant-service.ts"],
    // The emulator reads untyped wire JSON, like the service it stands in for.
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
