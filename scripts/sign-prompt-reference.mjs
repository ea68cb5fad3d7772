#!/usr/bin/env node
// An independent signer for glisk's signed prompts (src/authors/signed_prompt.hpp): builds the
// message from its description with node's own SHA-256 and signs it as a wallet would, with
// ethers v6 wallet.signMessage (EIP-191 personal_sign), so the C++ verifier is checked against
// another implementation rather than against itself.
//   node scripts/sign-prompt-reference.mjs '<json>'     (or the JSON on stdin)
// where the JSON is an array of {"privateKey":"0x…","prompt":"text","timestamp":1700000000};
// prints, per request, one line: the signer's EIP-55 address, a space, the 65-byte signature.
// Exits 3 when ethers is missing (run scripts/install-node-tools), 2 on a usage error.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const toolsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '.tools', 'node')

function die (code, message) {
  process.stderr.write(message + '\n')
  process.exit(code)
}

async function importTool (name) {
  const dir = join(toolsDir, 'node_modules', name)
  if (!existsSync(join(dir, 'package.json'))) {
    die(3, `${name} is not installed in ${toolsDir}: run scripts/install-node-tools`)
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const exp = pkg.exports?.['.']
  const entry = (typeof exp === 'string' ? exp : exp?.import?.default ?? exp?.import ?? exp?.default) ?? pkg.module ?? pkg.main
  if (typeof entry !== 'string') die(3, `${name} ${pkg.version} has no ESM entry point: run scripts/install-node-tools`)
  return import(pathToFileURL(join(dir, entry)).href)
}

let requests
try {
  requests = JSON.parse(process.argv[2] ?? readFileSync(0, 'utf8'))
} catch (e) {
  die(2, `sign-prompt-reference: the argument (or stdin) must be JSON: ${e.message}`)
}
if (!Array.isArray(requests)) die(2, 'sign-prompt-reference: expected a JSON array of requests')

const ethers = await importTool('ethers')
for (const r of requests) {
  const wallet = new ethers.Wallet(r.privateKey)
  const promptHash = createHash('sha256').update(Buffer.from(r.prompt, 'utf8')).digest('hex')
  const message = `glisk: set prompt\nwallet: ${ethers.getAddress(wallet.address)}\nprompt sha256: ${promptHash}\ntimestamp: ${r.timestamp}`
  process.stdout.write(wallet.address + ' ' + await wallet.signMessage(message) + '\n')
}
