#!/usr/bin/env node
// The demo's collectors: mints GliskNFT tokens the way a wallet would, with ethers v6 (from
// scripts/install-node-tools), so glisk sees real BatchMinted events on the chain.
//   node scripts/demo-mint.mjs RPC_URL CONTRACT MINTER_KEY AUTHOR QUANTITY [COUNT]
// sends COUNT (default 1) mint(AUTHOR, QUANTITY) transactions from MINTER_KEY, paying
// mintPrice × QUANTITY each, waits for their receipts and prints "minted FIRST-LAST" per mint.
import { die, importTool } from './lib/node-tools.mjs'

const [rpcUrl, contractAddress, minterKey, author, quantityText, countText] = process.argv.slice(2)
if (!rpcUrl || !contractAddress || !minterKey || !author || !quantityText) {
  die(2, 'usage: node scripts/demo-mint.mjs RPC_URL CONTRACT MINTER_KEY AUTHOR QUANTITY [COUNT]')
}
const ethers = await importTool('ethers')
const provider = new ethers.JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true })
const wallet = new ethers.NonceManager(new ethers.Wallet(minterKey, provider))
const abi = [
  'function mint(address promptAuthor, uint256 quantity) payable',
  'function mintPrice() view returns (uint256)',
  'event BatchMinted(address indexed minter, address indexed promptAuthor, uint256 indexed startTokenId, uint256 quantity, uint256 totalPaid)'
]
const contract = new ethers.Contract(contractAddress, abi, wallet)
const quantity = BigInt(quantityText)
const price = await contract.mintPrice()
for (let i = 0; i < Number(countText ?? '1'); i++) {
  const tx = await contract.mint(author, quantity, { value: price * quantity })
  const receipt = await tx.wait()
  const event = receipt.logs.map((log) => { try { return contract.interface.parseLog(log) } catch { return null } })
    .find((e) => e?.name === 'BatchMinted')
  const start = event.args.startTokenId
  console.log(`minted ${start}-${start + quantity - 1n} for ${author} in ${receipt.hash}`)
}
provider.destroy()
