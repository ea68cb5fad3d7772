// Loads an npm package from .tools/node (where scripts/install-node-tools puts them) for the
// repository's node scripts: they live outside that folder, so a bare `import` would not find it.
// Exits 3 with a message naming install-node-tools when the package is missing.
import { existsSync, readFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

export const toolsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '.tools', 'node')

export function die (code, message) {
  process.stderr.write(message + '\n')
  process.exit(code)
}

// `subpath` is an export of the package ('.', './chunker', …), resolved through its package.json.
export async function importTool (name, subpath = '.') {
  const dir = join(toolsDir, 'node_modules', name)
  if (!existsSync(join(dir, 'package.json'))) {
    die(3, `${name} is not installed in ${toolsDir}: run scripts/install-node-tools`)
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'))
  const exp = pkg.exports?.[subpath]
  let entry = typeof exp === 'string' ? exp : exp?.import?.default ?? exp?.import ?? exp?.default
  if (entry === undefined && subpath === '.') entry = pkg.module ?? pkg.main
  if (typeof entry !== 'string') die(3, `${name} ${pkg.version} has no export ${subpath}: run scripts/install-node-tools`)
  return import(pathToFileURL(join(dir, entry)).href)
}
