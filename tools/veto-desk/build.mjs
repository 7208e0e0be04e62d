// Bundles the veto desk into dist/: the page (Preact and @polkadot/api, one ES module), the
// prover's worker, and the static files. The prover's WebAssembly (dist/pkg) comes from
// `wasm-bindgen`, run by scripts/lib.sh's build_veto_desk before this.
import { build } from "esbuild";
import { copyFile, mkdir } from "node:fs/promises";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, "dist");
await mkdir(dist, { recursive: true });

const common = {
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  sourcemap: true,
  logLevel: "warning",
  // The page is served as files: no bundler runtime, no code splitting.
  outdir: dist,
};
await build({
  ...common,
  entryPoints: { desk: join(here, "src/main.jsx") },
  jsx: "automatic",
  jsxImportSource: "preact",
});
// The worker imports the wasm-bindgen module at run time, from ./pkg next to it.
await build({
  ...common,
  entryPoints: { worker: join(here, "src/worker.js") },
  external: ["./pkg/*"],
});
for (const file of ["index.html", "style.css"]) {
  await copyFile(join(here, "src", file), join(dist, file));
}
console.log(`veto desk built into ${dist}`);
