#include "eth/abi.hpp"

#include <algorithm>
#include <cstdio>

#include "eth/keccak.hpp"

namespace glisk::eth {

namespace {
constexpr size_t kWord = 32;

struct ParsedSignature {
  std::string name;
  std::vector<std::string> types;
};

ParsedSignature parse_signature(std::string_view signature) {
  size_t open = signature.find('(');
  if (open == std::string_view::npos || open == 0 || !signature.ends_with(")")) {
    throw InvalidAbi("ABI signature must look like name(type,type), got '" + std::string(signature) + "'");
  }
  ParsedSignature parsed{std::string(signature.substr(0, open)), {}};
  std::string_view list = signature.substr(open + 1, signature.size() - open - 2);
  while (!list.empty()) {
    size_t comma = list.find(',');
    std::string_view type = list.substr(0, comma);
    if (type.empty()) throw InvalidAbi("ABI signature has an empty type: '" + std::string(signature) + "'");
    parsed.types.emplace_back(type);
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
    if (list.empty()) throw InvalidAbi("ABI signature has an empty type: '" + std::string(signature) + "'");
  }
  return parsed;
}

void append_word(Bytes& out, const U256& value) {
  auto word = value.to_be_bytes();
  out.insert(out.end(), word.begin(), word.end());
}

// Length word, then the bytes padded with zeros to a whole number of words.
void append_string(Bytes& out, std::string_view text) {
  append_word(out, U256(static_cast<uint64_t>(text.size())));
  out.insert(out.end(), text.begin(), text.end());
  out.resize(out.size() + (kWord - text.size() % kWord) % kWord, 0);
}

Bytes encode_string_array(const std::vector<std::string>& strings) {
  // Like a tuple of strings: a head of offsets (relative to after the length word), then tails.
  Bytes heads;
  Bytes tails;
  for (const auto& text : strings) {
    append_word(heads, U256(static_cast<uint64_t>(strings.size() * kWord + tails.size())));
    append_string(tails, text);
  }
  Bytes out;
  append_word(out, U256(static_cast<uint64_t>(strings.size())));
  out.insert(out.end(), heads.begin(), heads.end());
  out.insert(out.end(), tails.begin(), tails.end());
  return out;
}

template <typename T>
const T& expect(const AbiValue& value, const std::string& type, size_t index) {
  if (const T* typed = std::get_if<T>(&value)) return *typed;
  throw InvalidAbi("ABI argument " + std::to_string(index) + " does not hold a value of type " + type);
}

// Reads words of untrusted data; every access is checked against its size.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> data) : data_(data) {}

  std::span<const uint8_t> word(size_t offset) const {
    if (offset > data_.size() || data_.size() - offset < kWord) {
      throw InvalidAbi("ABI data too short: a word at byte " + std::to_string(offset) + " needs " +
                       std::to_string(offset + kWord) + " bytes, the data has " + std::to_string(data_.size()));
    }
    return data_.subspan(offset, kWord);
  }
  U256 uint256(size_t offset) const { return U256::from_be_bytes(word(offset)); }

  // An offset or length: must fit the data, which bounds it far below size_t's limit.
  size_t small(size_t offset, const char* what) const {
    U256 value = uint256(offset);
    if (!value.fits_u64() || value.low_u64() > data_.size()) {
      throw InvalidAbi(std::string("ABI ") + what + " " + value.to_dec() + " at byte " + std::to_string(offset) +
                       " exceeds the data size " + std::to_string(data_.size()));
    }
    return static_cast<size_t>(value.low_u64());
  }

  bool boolean(size_t offset) const {
    U256 value = uint256(offset);
    if (value > U256(1)) throw InvalidAbi("ABI bool at byte " + std::to_string(offset) + " is neither 0 nor 1");
    return value == U256(1);
  }

  Address address(size_t offset) const {
    auto bytes = word(offset);
    if (std::any_of(bytes.begin(), bytes.begin() + 12, [](uint8_t b) { return b != 0; })) {
      throw InvalidAbi("ABI address at byte " + std::to_string(offset) + " has nonzero upper bytes");
    }
    return Address::from_bytes(bytes.subspan(12));
  }

  // The string whose offset (relative to `base`) is in the word at `head`.
  std::string string(size_t base, size_t head) const {
    size_t start = small(head, "string offset");
    if (start > data_.size() - base)
      throw InvalidAbi("ABI string offset at byte " + std::to_string(head) + " runs past the end");
    start += base;
    size_t length = small(start, "string length");
    size_t begin = start + kWord;  // word() succeeded, so this is within the data
    if (length > data_.size() - begin) {
      throw InvalidAbi("ABI string of " + std::to_string(length) + " bytes at byte " + std::to_string(begin) +
                       " runs past the end of " + std::to_string(data_.size()) + " bytes");
    }
    return std::string(reinterpret_cast<const char*>(data_.data() + begin), length);
  }

 private:
  std::span<const uint8_t> data_;
};

std::string printable(std::string_view text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += static_cast<char>(c);
    } else if (c < 0x20 || c >= 0x7f) {
      char escaped[5];
      std::snprintf(escaped, sizeof escaped, "\\x%02x", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  return out + "\"";
}

std::string panic_reason(const U256& code) {
  if (!code.fits_u64()) return "unknown panic code";
  switch (code.low_u64()) {
    case 0x00:
      return "generic compiler panic";
    case 0x01:
      return "assert failed";
    case 0x11:
      return "arithmetic overflow or underflow";
    case 0x12:
      return "division or modulo by zero";
    case 0x21:
      return "invalid enum value";
    case 0x22:
      return "corrupt storage byte array";
    case 0x31:
      return "pop on an empty array";
    case 0x32:
      return "array index out of bounds";
    case 0x41:
      return "out of memory";
    case 0x51:
      return "call to a zero-initialised function";
    default:
      return "unknown panic code";
  }
}

std::string decode_custom_error(const ParsedSignature& error, std::span<const uint8_t> arguments) {
  Reader reader(arguments);
  std::string out = error.name + "(";
  for (size_t i = 0; i < error.types.size(); ++i) {
    const std::string& type = error.types[i];
    size_t head = i * kWord;
    if (i > 0) out += ", ";
    if (type == "uint256") {
      out += reader.uint256(head).to_dec();
    } else if (type == "address") {
      out += reader.address(head).to_checksum();
    } else if (type == "bool") {
      out += reader.boolean(head) ? "true" : "false";
    } else if (type == "string") {
      out += printable(reader.string(0, head));
    } else {
      throw InvalidAbi("unsupported ABI type '" + type + "' in error " + error.name);
    }
  }
  return out + ")";
}
}  // namespace

Selector function_selector(std::string_view signature) {
  Hash hash = keccak256(signature);
  return {hash[0], hash[1], hash[2], hash[3]};
}

Bytes encode_call(std::string_view signature, const std::vector<AbiValue>& args) {
  ParsedSignature parsed = parse_signature(signature);
  if (parsed.types.size() != args.size()) {
    throw InvalidAbi(std::string(signature) + " takes " + std::to_string(parsed.types.size()) + " arguments, got " +
                     std::to_string(args.size()));
  }
  Bytes heads;
  Bytes tails;
  size_t head_size = args.size() * kWord;  // every supported type takes one head word
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& type = parsed.types[i];
    if (type == "uint256") {
      append_word(heads, expect<U256>(args[i], type, i));
    } else if (type == "bool") {  // passed as U256 0 or 1
      const U256& value = expect<U256>(args[i], type, i);
      if (value > U256(1)) throw InvalidAbi("argument " + std::to_string(i) + " of type bool must be 0 or 1");
      append_word(heads, value);
    } else if (type == "address") {
      const auto& bytes = expect<Address>(args[i], type, i).bytes();
      heads.resize(heads.size() + 12, 0);
      heads.insert(heads.end(), bytes.begin(), bytes.end());
    } else if (type == "string" || type == "uint256[]" || type == "string[]" || type == "bytes32[]") {
      append_word(heads, U256(static_cast<uint64_t>(head_size + tails.size())));
      if (type == "string") {
        append_string(tails, expect<std::string>(args[i], type, i));
      } else if (type == "uint256[]") {
        const auto& values = expect<std::vector<U256>>(args[i], type, i);
        append_word(tails, U256(static_cast<uint64_t>(values.size())));
        for (const auto& value : values) append_word(tails, value);
      } else if (type == "bytes32[]") {
        const auto& values = expect<std::vector<Word>>(args[i], type, i);
        append_word(tails, U256(static_cast<uint64_t>(values.size())));
        for (const auto& value : values) tails.insert(tails.end(), value.begin(), value.end());
      } else {
        Bytes encoded = encode_string_array(expect<std::vector<std::string>>(args[i], type, i));
        tails.insert(tails.end(), encoded.begin(), encoded.end());
      }
    } else {
      throw InvalidAbi("unsupported ABI type '" + type + "' in " + std::string(signature));
    }
  }
  Selector selector = function_selector(signature);
  Bytes out(selector.begin(), selector.end());
  out.insert(out.end(), heads.begin(), heads.end());
  out.insert(out.end(), tails.begin(), tails.end());
  return out;
}

U256 decode_uint256(std::span<const uint8_t> return_data) { return Reader(return_data).uint256(0); }
bool decode_bool(std::span<const uint8_t> return_data) { return Reader(return_data).boolean(0); }
Address decode_address(std::span<const uint8_t> return_data) { return Reader(return_data).address(0); }
std::string decode_string(std::span<const uint8_t> return_data) { return Reader(return_data).string(0, 0); }

std::vector<U256> decode_uint256_array(std::span<const uint8_t> arguments, size_t index) {
  Reader reader(arguments);
  const size_t start = reader.small(index * kWord, "array offset");
  const size_t count = reader.small(start, "array length");
  if (count > (arguments.size() - start) / kWord) {
    throw InvalidAbi("ABI uint256[] of " + std::to_string(count) + " values at byte " + std::to_string(start) +
                     " runs past the end of " + std::to_string(arguments.size()) + " bytes");
  }
  std::vector<U256> values;
  values.reserve(count);
  for (size_t i = 0; i < count; ++i) values.push_back(reader.uint256(start + kWord * (i + 1)));
  return values;
}

std::string decode_revert(std::span<const uint8_t> revert_data, std::span<const std::string> custom_error_signatures) {
  if (revert_data.empty()) return "revert without data";
  if (revert_data.size() < 4) {
    throw InvalidAbi("revert data of " + std::to_string(revert_data.size()) + " bytes is too short for a selector");
  }
  Selector selector{revert_data[0], revert_data[1], revert_data[2], revert_data[3]};
  std::span<const uint8_t> arguments = revert_data.subspan(4);
  if (selector == kErrorSelector) return "Error(" + printable(Reader(arguments).string(0, 0)) + ")";
  if (selector == kPanicSelector) {
    U256 code = Reader(arguments).uint256(0);
    return "Panic(" + code.to_hex() + ": " + panic_reason(code) + ")";
  }
  for (const auto& signature : custom_error_signatures) {
    if (function_selector(signature) == selector) return decode_custom_error(parse_signature(signature), arguments);
  }
  return "unknown error " + to_hex(selector) + " (" + std::to_string(arguments.size()) + " bytes of arguments)";
}

}  // namespace glisk::eth
