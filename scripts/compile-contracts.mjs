// Compiles contracts/*.sol and bench/contracts/*.sol with the npm solc (solcjs, standard JSON) and writes
// build/contracts/<Name>.json with abi, bytecode and deployedBytecode (0x-hex) for every
// contract defined in those files. Imports of @openzeppelin/... resolve from .tools/node.
// Run through scripts/compile-contracts, which checks the tools and skips up-to-date output.
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const nodeModules = path.join(root, ".tools/node/node_modules");
const require = createRequire(path.join(nodeModules, "noop.js"));
const solc = require("solc");

// contracts/ holds what glisk deploys; bench/contracts/ what benchmarks measure it against.
const outDir = path.join(root, "build/contracts");
const sources = {};
for (const dir of ["contracts", "bench/contracts"]) {
  const full = path.join(root, dir);
  if (!fs.existsSync(full)) continue;
  for (const file of fs.readdirSync(full).filter((f) => f.endsWith(".sol")).sort()) {
    sources[`${dir}/${file}`] = { content: fs.readFileSync(path.join(full, file), "utf8") };
  }
}

// Only node_modules packages are importable; a relative import is resolved by solc itself.
function findImports(importPath) {
  const full = path.join(nodeModules, importPath);
  if (!full.startsWith(nodeModules + path.sep)) return { error: `import outside node_modules: ${importPath}` };
  try {
    return { contents: fs.readFileSync(full, "utf8") };
  } catch {
    return { error: `cannot read ${importPath} under .tools/node/node_modules (run scripts/install-node-tools)` };
  }
}

const input = {
  language: "Solidity",
  sources,
  settings: {
    optimizer: { enabled: true, runs: 200 },
    // Cancun is what the L2s glisk targets (Base) and anvil both support.
    evmVersion: "cancun",
    outputSelection: { "*": { "*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"] } },
  },
};

const output = JSON.parse(solc.compile(JSON.stringify(input), { import: findImports }));
const problems = (output.errors || []).filter((e) => e.severity === "error");
for (const e of output.errors || []) process.stderr.write(e.formattedMessage + "\n");
if (problems.length > 0) {
  process.stderr.write(`compile-contracts: ${problems.length} error(s); nothing written\n`);
  process.exit(1);
}

fs.mkdirSync(outDir, { recursive: true });
let written = 0;
for (const [source, contracts] of Object.entries(output.contracts || {})) {
  if (!(source in sources)) continue;  // libraries pulled in by imports get no artifact
  for (const [name, c] of Object.entries(contracts)) {
    const artifact = {
      contractName: name,
      sourceName: source,
      compiler: `solc ${solc.version()}`,
      abi: c.abi,
      bytecode: "0x" + c.evm.bytecode.object,
      deployedBytecode: "0x" + c.evm.deployedBytecode.object,
    };
    // Write then rename so a reader never sees half a file.
    const target = path.join(outDir, `${name}.json`);
    fs.writeFileSync(target + ".tmp", JSON.stringify(artifact, null, 2) + "\n");
    fs.renameSync(target + ".tmp", target);
    console.log(`compile-contracts: wrote ${path.relative(root, target)}`);
    ++written;
  }
}
if (written === 0) {
  process.stderr.write("compile-contracts: solc produced no contracts\n");
  process.exit(1);
}
