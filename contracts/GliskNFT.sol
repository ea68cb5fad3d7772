// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;  // OpenZeppelin 5.7 (scripts/install-node-tools) needs 0.8.24 or later

import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {IERC4906} from "@openzeppelin/contracts/interfaces/IERC4906.sol";
import {Ownable} from "@openzeppelin/contracts/access/Ownable.sol";

/// @title GliskNFT
/// @notice Tokens are minted in batches for a prompt author; each shows a placeholder URI until
/// the glisk service (a keeper) or the owner reveals it with the metadata of its generated image.
/// A reveal is final: a token's URI never changes once revealed, so holders can rely on it.
///
/// Two ways to reveal, one state:
///  - revealDigests(ids, digests): the service's way. A token's metadata is one raw IPFS block
///    (CIDv1, raw codec, sha2-256: `bafkrei…`), so the 32-byte sha2-256 digest is its whole
///    content address: one storage slot per token, and tokenURI rebuilds `ipfs://bafkrei…` from
///    it byte for byte. One slot (22,100 gas) is the floor for a per-token content address.
///  - batchRevealMultiple / revealTokens(ids, uris): any URI, stored as a string, for tooling that
///    calls them; a marker in the same slot records that the token is revealed.
/// Either way, marketplaces are told with EIP-4906 events: one BatchMetadataUpdate(lo, hi) when
/// the batch's ids are dense (hi - lo + 1 <= 2n), one MetadataUpdate per token otherwise.
///
/// The contract never burns, so a token exists exactly when 0 < id < nextTokenId: reveals check
/// that range instead of reading each token's owner slot (a cold read, 2,100 gas per token).
contract GliskNFT is ERC721, IERC4906, Ownable {
    uint256 public mintPrice;
    string public placeholderURI;
    mapping(address => bool) public isKeeper;

    uint256 private _nextTokenId = 1;  // ids start at 1 so 0 never names a token
    mapping(uint256 => address) private _promptAuthors;
    // Per token: 0 = not revealed; LEGACY_URI = revealed with the string in _revealedURIs;
    // anything else = the sha2-256 digest of its raw metadata block.
    mapping(uint256 => bytes32) private _reveals;
    mapping(uint256 => string) private _revealedURIs;

    bytes32 private constant LEGACY_URI = bytes32(uint256(1));
    bytes4 private constant ERC4906_INTERFACE_ID = bytes4(0x49064906);

    event BatchMinted(
        address indexed minter, address indexed promptAuthor, uint256 indexed startTokenId, uint256 quantity, uint256 totalPaid
    );
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
    error InvalidDigest(uint256 tokenId);  // 0, or the legacy marker: not a sha2-256 of anything real
    error EmptyURI(uint256 tokenId);

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

    /// Reveals each token with the sha2-256 digest of its raw metadata block; tokenURI becomes
    /// `ipfs://` + the CIDv1 (raw, sha2-256, base32) of that block. All or nothing: one bad id
    /// reverts the whole batch. An empty batch does nothing (the service calls it so to check the
    /// function exists and it may call it).
    function revealDigests(uint256[] calldata tokenIds, bytes32[] calldata digests) external onlyKeeperOrOwner {
        uint256 count = tokenIds.length;
        if (count != digests.length) revert LengthMismatch();
        if (count == 0) return;
        uint256 next = _nextTokenId;
        uint256 lo = type(uint256).max;
        uint256 hi = 0;
        for (uint256 i = 0; i < count; ++i) {
            uint256 id = tokenIds[i];
            bytes32 digest = digests[i];
            if (id == 0 || id >= next) revert ERC721NonexistentToken(id);
            if (digest == 0 || digest == LEGACY_URI) revert InvalidDigest(id);
            if (_reveals[id] != 0) revert AlreadyRevealed(id);
            _reveals[id] = digest;
            if (id < lo) lo = id;
            if (id > hi) hi = id;
        }
        _announce(tokenIds, lo, hi);
    }

    /// Reveals each token with its URI. All or nothing: one bad id reverts the whole batch.
    function batchRevealMultiple(uint256[] calldata tokenIds, string[] calldata uris) public onlyKeeperOrOwner {
        uint256 count = tokenIds.length;
        if (count != uris.length) revert LengthMismatch();
        if (count == 0) return;
        uint256 next = _nextTokenId;
        uint256 lo = type(uint256).max;
        uint256 hi = 0;
        for (uint256 i = 0; i < count; ++i) {
            uint256 id = tokenIds[i];
            if (id == 0 || id >= next) revert ERC721NonexistentToken(id);
            if (bytes(uris[i]).length == 0) revert EmptyURI(id);
            if (_reveals[id] != 0) revert AlreadyRevealed(id);
            _reveals[id] = LEGACY_URI;
            _revealedURIs[id] = uris[i];
            if (id < lo) lo = id;
            if (id > hi) hi = id;
        }
        _announce(tokenIds, lo, hi);
    }

    /// The same as batchRevealMultiple, under the name other tooling expects.
    function revealTokens(uint256[] calldata tokenIds, string[] calldata uris) external {
        batchRevealMultiple(tokenIds, uris);
    }

    function tokenURI(uint256 tokenId) public view override returns (string memory) {
        _requireMinted(tokenId);
        bytes32 state = _reveals[tokenId];
        if (state == 0) return placeholderURI;
        if (state == LEGACY_URI) return _revealedURIs[tokenId];
        return string.concat("ipfs://", _rawSha256Cid(state));
    }

    function isRevealed(uint256 tokenId) external view returns (bool) {
        _requireMinted(tokenId);
        return _reveals[tokenId] != 0;
    }

    function nextTokenId() external view returns (uint256) {
        return _nextTokenId;
    }

    function tokenPromptAuthor(uint256 tokenId) external view returns (address) {
        _requireMinted(tokenId);
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

    /// ERC-165, with EIP-4906's id (0x49064906) so marketplaces listen for the reveal events.
    function supportsInterface(bytes4 interfaceId) public view virtual override(ERC721, IERC165) returns (bool) {
        return interfaceId == ERC4906_INTERFACE_ID || super.supportsInterface(interfaceId);
    }

    function _requireMinted(uint256 tokenId) private view {
        if (tokenId == 0 || tokenId >= _nextTokenId) revert ERC721NonexistentToken(tokenId);
    }

    // One event for a dense range (marketplaces refresh lo..hi), else one per token, so a sparse
    // batch does not make them refresh thousands of unrelated tokens.
    function _announce(uint256[] calldata tokenIds, uint256 lo, uint256 hi) private {
        uint256 count = tokenIds.length;
        if (count > 1 && hi - lo < 2 * count) {
            emit BatchMetadataUpdate(lo, hi);
        } else {
            for (uint256 i = 0; i < count; ++i) emit MetadataUpdate(tokenIds[i]);
        }
    }

    // "b" + base32 (RFC 4648 lowercase, no padding) of 0x01 0x55 0x12 0x20 ‖ digest: CIDv1, raw
    // codec, sha2-256 multihash of 32 bytes. 36 bytes = 288 bits = 57 full characters and one of
    // 3 bits padded with zeros: 59 characters with the "b".
    function _rawSha256Cid(bytes32 digest) private pure returns (string memory) {
        bytes memory alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        bytes memory out = new bytes(59);
        out[0] = "b";
        uint256 buffer = 0x01551220;  // the CID prefix: 32 bits already in the buffer
        uint256 bits = 32;
        uint256 j = 1;
        for (uint256 i = 0; i <= 32; ++i) {
            while (bits >= 5) {
                bits -= 5;
                out[j++] = alphabet[(buffer >> bits) & 31];
            }
            buffer &= (1 << bits) - 1;
            if (i == 32) break;
            buffer = (buffer << 8) | uint8(digest[i]);
            bits += 8;
        }
        out[j] = alphabet[(buffer << (5 - bits)) & 31];
        return string(out);
    }
}
