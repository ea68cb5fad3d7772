#!/usr/bin/env node
// The demo's side of the chain, played with ethers v6 (from scripts/install-node-tools) the way a
// collector's wallet and a block explorer would:
//   node scripts/demo-chain.mjs mint RPC_URL CONTRACT MINTER_KEY AUTHOR QUANTITY
//       mint(AUTHOR, QUANTITY) from MINTER_KEY, paying mintPrice × QUANTITY; waits for the
//       receipt and prints "minted FIRST-LAST in TX_HASH".
//   node scripts/demo-chain.mjs uri RPC_URL CONTRACT TOKEN_ID...
//       prints "TOKEN_ID TOKEN_URI" per token, read with tokenURI().
import { die, importTool } from './lib/node-tools.mjs'

const [command, rpcUrl, contractAddress, ...rest] = process.argv.slice(2)
const usage = 'usage: node scripts/demo-chain.mjs mint RPC_URL CONTRACT MINTER_KEY AUTHOR QUANTITY\n' +
              '       node scripts/demo-chain.mjs uri RPC_URL CONTRACT TOKEN_ID...'
if (!rpcUrl || !contractAddress) die(2, usage)
const ethers = await importTool('ethers')
const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, pollingInterval: 200 })
const abi = [
  'function mint(address promptAuthor, uint256 quantity) payable',
  'function mintPrice() view returns (uint256)',
  'function tokenURI(uint256 tokenId) view returns (string)',
  'event BatchMinted(address indexed minter, address indexed promptAuthor, uint256 indexed startTokenId, uint256 quantity, uint256 totalPaid)'
]
try {
  if (command === 'mint') {
    const [minterKey, author, quantityText] = rest
    if (!minterKey || !author || !quantityText) die(2, usage)
    const contract = new ethers.Contract(contractAddress, abi, new ethers.Wallet(minterKey, provider))
    const quantity = BigInt(quantityText)
    const price = await contract.mintPrice()
    const receipt = await (await contract.mint(author, quantity, { value: price * quantity })).wait()
    const event = receipt.logs.map((log) => { try { return contract.interface.parseLog(log) } catch { return null } })
      .find((e) => e?.name === 'BatchMinted')
    const start = event.args.startTokenId
    console.log(`minted ${start}-${start + quantity - 1n} in ${receipt.hash}`)
  } else if (command === 'uri') {
    const contract = new ethers.Contract(contractAddress, abi, provider)
    for (const id of rest) console.log(`${id} ${await contract.tokenURI(BigInt(id))}`)
  } else {
    die(2, usage)
  }
} finally {
  provider.destroy()
}
