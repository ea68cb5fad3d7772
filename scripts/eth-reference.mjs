#!/usr/bin/env node
// An independent reference for glisk's Ethereum encoding (src/eth/): ethers v6 signs EIP-1559
// transactions and ABI-encodes calls, so the C++ tests can compare bytes with it.
//   node scripts/eth-reference.mjs '<json>'     (or the JSON on stdin)
// where the JSON is one of
//   {"kind":"tx","privateKey":"0x…","tx":{"chainId":"1","nonce":"0","maxPriorityFeePerGas":"…",
//    "maxFeePerGas":"…","gasLimit":"…","to":"0x…"|null,"value":"…","data":"0x…"}}
//       prints the signed serialized transaction, then its hash, one per line;
//   {"kind":"call","signature":"f(uint256[],string[])","args":[…]}
//       prints the calldata (numbers as decimal strings);
//   {"kind":"message","privateKey":"0x…","message":"text"}
//       prints the EIP-191 hash of the message, then wallet.signMessage's 65-byte signature.
// Needs ethers from scripts/install-node-tools in .tools/node: exits 3 with a message naming that
// script when it is missing, 2 on a usage error.
import { readFileSync } from 'node:fs'

import { die, importTool } from './lib/node-tools.mjs'

let request
try {
  request = JSON.parse(process.argv[2] ?? readFileSync(0, 'utf8'))
} catch (e) {
  die(2, `eth-reference: the argument (or stdin) must be JSON: ${e.message}`)
}

const ethers = await importTool('ethers')

if (request.kind === 'tx') {
  const t = request.tx
  const wallet = new ethers.Wallet(request.privateKey)
  const signed = await wallet.signTransaction({
    type: 2,
    chainId: BigInt(t.chainId),
    nonce: Number(t.nonce),
    maxPriorityFeePerGas: BigInt(t.maxPriorityFeePerGas),
    maxFeePerGas: BigInt(t.maxFeePerGas),
    gasLimit: BigInt(t.gasLimit),
    to: t.to,
    value: BigInt(t.value),
    data: t.data,
    accessList: []
  })
  const tx = ethers.Transaction.from(signed)
  process.stdout.write(tx.serialized + '\n' + tx.hash + '\n')
} else if (request.kind === 'call') {
  const fragment = ethers.FunctionFragment.from('function ' + request.signature)
  const iface = new ethers.Interface([fragment])
  process.stdout.write(iface.encodeFunctionData(fragment, request.args) + '\n')
} else if (request.kind === 'message') {
  const wallet = new ethers.Wallet(request.privateKey)
  process.stdout.write(ethers.hashMessage(request.message) + '\n' + await wallet.signMessage(request.message) + '\n')
} else {
  die(2, 'eth-reference: "kind" must be "tx", "call" or "message"')
}
