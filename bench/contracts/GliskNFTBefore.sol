// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;  // OpenZeppelin 5.7 (scripts/install-node-tools) needs 0.8.24 or later

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title GliskNFTBefore: the project's contract as of commit 2de5768 (December 2026), before reveals by
/// digest. Kept only so bench/reveal_gas_bench.cpp measures today's gas against it in the same run; never
/// deployed by glisk.
/// @notice Tokens are minted in batches for a prompt author; each shows a placeholder URI until
/// the glisk service (a keeper) or the owner reveals it with the URI of its generated image.
/// A reveal is final: a token's URI never changes once revealed, so holders can rely on it.
contract GliskNFTBefore is ERC721, Ownable {
    uint256 public mintPrice;
    string public placeholderURI;
    mapping(address => bool) public isKeeper;

    uint256 private _nextTokenId = 1;  // ids start at 1 so 0 never names a token
    mapping(uint256 => address) private _promptAuthors;
    mapping(uint256 => string) private _revealedURIs;
    mapping(uint256 => bool) private _revealed;

    event BatchMinted(
        address indexed minter, address indexed promptAuthor, uint256 indexed startTokenId, uint256 quantity, uint256 totalPaid
    );
    event TokenRevealed(uint256 indexed tokenId, string uri);
    event KeeperSet(address indexed keeper, bool allowed);
    event MintPriceSet(uint256 price);
    event PlaceholderURISet(string uri);

    error InvalidQuantity();
    error InvalidPromptAuthor();
    error WrongPayment(uint256 expected, uint256 sent);
    error NotKeeper(address caller);
    error AlreadyRevealed(uint256 tokenId);
    error LengthMismatch();
    error WithdrawFailed();

    modifier onlyKeeperOrOwner() {
        if (msg.sender != owner() && !isKeeper[msg.sender]) revert NotKeeper(msg.sender);
        _;
    }

    constructor(uint256 initialMintPrice) ERC721("Glisk", "GLISK") Ownable(msg.sender) {
        mintPrice = initialMintPrice;
    }

    /// Mints `quantity` tokens to the caller for `promptAuthor`, paying exactly mintPrice each.
    function mint(address promptAuthor, uint256 quantity) external payable {
        if (quantity == 0) revert InvalidQuantity();
        if (promptAuthor == address(0)) revert InvalidPromptAuthor();
        uint256 expected = mintPrice * quantity;
        if (msg.value != expected) revert WrongPayment(expected, msg.value);

        uint256 start = _nextTokenId;
        _nextTokenId = start + quantity;
        for (uint256 id = start; id < start + quantity; ++id) {
            _promptAuthors[id] = promptAuthor;
            _mint(msg.sender, id);  // not _safeMint: no callback into the minter mid-batch
        }
        emit BatchMinted(msg.sender, promptAuthor, start, quantity, msg.value);
    }

    /// Reveals each token with its URI. All or nothing: one bad id reverts the whole batch.
    function batchRevealMultiple(uint256[] calldata tokenIds, string[] calldata uris) public onlyKeeperOrOwner {
        if (tokenIds.length != uris.length) revert LengthMismatch();
        for (uint256 i = 0; i < tokenIds.length; ++i) {
            uint256 id = tokenIds[i];
            _requireOwned(id);  // reverts ERC721NonexistentToken(id)
            if (_revealed[id]) revert AlreadyRevealed(id);
            _revealed[id] = true;
            _revealedURIs[id] = uris[i];
            emit TokenRevealed(id, uris[i]);
        }
    }

    /// The same as batchRevealMultiple, under the name other tooling expects.
    function revealTokens(uint256[] calldata tokenIds, string[] calldata uris) external {
        batchRevealMultiple(tokenIds, uris);
    }

    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireOwned(tokenId);
        return _revealed[tokenId] ? _revealedURIs[tokenId] : placeholderURI;
    }

    function isRevealed(uint256 tokenId) external view returns (bool) {
        _requireOwned(tokenId);
        return _revealed[tokenId];
    }

    function nextTokenId() external view returns (uint256) {
        return _nextTokenId;
    }

    function tokenPromptAuthor(uint256 tokenId) external view returns (address) {
        _requireOwned(tokenId);
        return _promptAuthors[tokenId];
    }

    function setKeeper(address keeper, bool allowed) external onlyOwner {
        isKeeper[keeper] = allowed;
        emit KeeperSet(keeper, allowed);
    }

    function setMintPrice(uint256 price) external onlyOwner {
        mintPrice = price;
        emit MintPriceSet(price);
    }

    function setPlaceholderURI(string calldata uri) external onlyOwner {
        placeholderURI = uri;
        emit PlaceholderURISet(uri);
    }

    /// Sends the mint proceeds to `to`.
    function withdraw(address payable to) external onlyOwner {
        (bool ok,) = to.call{value: address(this).balance}("");
        if (!ok) revert WithdrawFailed();
    }
}
