import js from "@eslint/js";
import pulumi from "@pulumi/eslint-plugin";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["**/node_modules/", "bin/", "test-output/", "www/dist/", "handlers/dist/", "local/agent-console/dist/", "bench/.work/", "lib/", ".ci/node/", "examples/*/dist/"] },
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
    // Where Pulumi Outputs live: an Output in a plain template literal is a bug that type-checks.
    files: ["index.ts", "infra/**/*.ts"],
    plugins: { "@pulumi": pulumi },
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      "@pulumi/no-output-in-template-literal": "error",
      "@pulumi/no-output-instance-in-template-literal": "error",
    },
  },
  {
    // Plain CommonJS scripts run in fresh Node processes: the benchmark's, and the examples' own tests.
    files: ["bench/**/*.js", "examples/*/*.test.js"],
    languageOptions: { sourceType: "commonjs", globals: { require: "readonly", process: "readonly", exports: "writable" } },
    rules: { "@typescript-eslint/no-require-imports": "off" },
  },
  {
    files: ["local/connect-emulator.ts", "local/participant-service.ts"],
    // The emulator reads untyped wire JSON, like the service it stands in for.
    rules: { "@typescript-eslint/no-explicit-any": "off" },
  },
);
