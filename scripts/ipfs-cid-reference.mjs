#!/usr/bin/env node
// Prints, one line per FILE, the CID that `ipfs add --cid-version=1` (kubo's defaults) gives it,
// computed by the independent JavaScript UnixFS importer, so that the C++ implementation
// (src/ipfs/cid.cpp) can be checked against it:
//   node scripts/ipfs-cid-reference.mjs [--chunk-size N] [--max-links N] FILE...
// The two options change kubo's 262144-byte chunks and 174 links per node, so tests can build
// deep trees from small files. Needs the packages that scripts/install-node-tools puts into
// .tools/node: exits 3 with a message naming that script when they are missing, 2 on a usage
// or read error.
import { createReadStream, existsSync } from 'node:fs'

import { die, importTool } from './lib/node-tools.mjs'

const usage = 'usage: node scripts/ipfs-cid-reference.mjs [--chunk-size N] [--max-links N] FILE...'

let chunkSize = 262144
let maxLinks = 174
const files = []
const args = process.argv.slice(2)
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--chunk-size' || args[i] === '--max-links') {
    const value = Number(args[++i])
    if (!Number.isInteger(value) || value < 1) die(2, `${args[i - 1]} needs a positive integer\n${usage}`)
    if (args[i - 1] === '--chunk-size') chunkSize = value
    else maxLinks = value
  } else {
    files.push(args[i])
  }
}
if (files.length === 0) die(2, usage)
// One link per node would never shrink a level to a root.
if (maxLinks < 2) die(2, '--max-links must be at least 2')
for (const file of files) {
  if (!existsSync(file)) die(2, `no such file: ${file}`)
}

const { importByteStream } = await importTool('ipfs-unixfs-importer')
const { fixedSize } = await importTool('ipfs-unixfs-importer', './chunker')
const { balanced } = await importTool('ipfs-unixfs-importer', './layout')
const { BlackHoleBlockstore } = await importTool('blockstore-core')

for (const file of files) {
  // kubo's defaults for `ipfs add --cid-version=1`, spelled out rather than left to the
  // library's defaults, which differ between its releases and its CID profiles.
  const options = {
    cidVersion: 1,
    rawLeaves: true,
    reduceSingleLeafToSelf: true,
    chunker: fixedSize({ chunkSize }),
    layout: balanced({ maxChildrenPerNode: maxLinks })
  }
  // Only the CID is wanted: blocks are dropped, so memory stays bounded for large files.
  const entry = await importByteStream(createReadStream(file), new BlackHoleBlockstore(), options)
  process.stdout.write(entry.cid.toString() + '\n')
}
