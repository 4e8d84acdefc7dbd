// The TF-IDF vectoriser's hot loops (src/text/tfidf.ts; issue 17): the default tokeniser (runs of
// two or more code points of letters, marks and digits, on text the caller has lower-cased), the
// table of terms (tokens by their UTF-16 units, word n-grams as pairs (prefix node, last token
// node) — no n-gram string is built), document frequencies, and the TF-IDF rows. The same
// algorithm as the JavaScript fallback in tfidf.ts (which the tests compare it with): the
// character classes come from JavaScript's own Unicode tables (passed in), and the row values
// are computed in the same order with the same float64 operations, so both give the same bits.
#include "xmlc_native.h"

#include <sys/mman.h>

#include <cstdlib>
#include <new>

namespace xmlc {

namespace {

constexpr size_t kHugePage = size_t{2} << 20;

// First touches of fresh memory are what large tables and buffers cost most (on a virtual machine a
// page fault can cost ~10 µs per 4 KiB page), so large blocks are mapped with huge pages advised
// (one fault per 2 MiB where the kernel allows) and grown by remapping, never copied.
void* MapLarge(size_t bytes) {
  void* p = mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  madvise(p, bytes, MADV_HUGEPAGE);
  return p;
}

// A growing array of trivially copyable T: malloc'd while small, mapped (MapLarge) from 2 MiB and
// grown by mremap; its memory can become a JavaScript ArrayBuffer without a copy.
template <typename T>
struct Grow {
  T* data = nullptr;
  size_t size = 0, cap = 0;
  bool mapped = false;
  Grow() = default;
  Grow(const Grow&) = delete;
  Grow& operator=(const Grow&) = delete;
  ~Grow() { Free(); }
  void Free() {
    if (mapped) munmap(data, cap * sizeof(T)); else std::free(data);
    data = nullptr;
    size = cap = 0;
    mapped = false;
  }
  void Reserve(size_t want) {
    if (want <= cap) return;
    size_t c = cap ? cap : 4096;
    while (c < want) c *= 2;
    const size_t bytes = c * sizeof(T);
    void* p;
    if (mapped) {
      p = mremap(data, cap * sizeof(T), bytes, MREMAP_MAYMOVE);
      if (p == MAP_FAILED) throw std::bad_alloc();
      madvise(p, bytes, MADV_HUGEPAGE);
    } else if (bytes >= kHugePage) {
      p = MapLarge(bytes);
      if (size > 0) std::memcpy(p, data, size * sizeof(T));
      std::free(data);
      mapped = true;
    } else {
      p = std::realloc(data, bytes);
      if (!p) throw std::bad_alloc();
    }
    data = static_cast<T*>(p);
    cap = c;
  }
  void Push(const T& v) {
    if (size == cap) Reserve(size + 1);
    data[size++] = v;
  }
  T& operator[](size_t i) { return data[i]; }
  const T& operator[](size_t i) const { return data[i]; }
  // The contents as a typed array of `type`, handing the memory over (the buffer is empty after).
  Napi::Value Release(Napi::Env env, napi_typedarray_type type) {
    napi_value ab, ta;
    const size_t bytes = size * sizeof(T), n = size;
    napi_finalize unmap = [](napi_env, void* d, void* hint) { munmap(d, reinterpret_cast<size_t>(hint)); };
    napi_finalize free = [](napi_env, void* d, void*) { std::free(d); };
    if (n > 0 && napi_create_external_arraybuffer(env, data, bytes, mapped ? unmap : free, reinterpret_cast<void*>(cap * sizeof(T)), &ab) == napi_ok) {
      data = nullptr;
      size = cap = 0;
      mapped = false;
    } else {
      // Empty, or a runtime that allows no external buffers: copy.
      void* copy = nullptr;
      NAPI_THROW_IF_FAILED(env, napi_create_arraybuffer(env, bytes, &copy, &ab), Napi::Value());
      if (n > 0) std::memcpy(copy, data, bytes);
      Free();
    }
    NAPI_THROW_IF_FAILED(env, napi_create_typedarray(env, type, n, ab, 0, &ta), Napi::Value());
    return Napi::Value(env, ta);
  }
};

// A term: a token (prefix −1; its units at units[start, start + length)) or a word n-gram (prefix
// node, last token node); with the fit statistics. 32 bytes: one cache line holds two.
struct Node {
  int32_t prefix, last;
  uint32_t start;
  int32_t length;
  int32_t lastDoc, df, count, unused;
};

// The slots of a hash table: `ints` int32s, all −1. Large tables are 2 MiB-aligned and advised to
// use huge pages: random probes over many 4 KiB pages miss the TLB, and in a virtual machine each
// miss walks two page tables.
struct Slots {
  int32_t* p = nullptr;
  size_t n = 0;
  explicit Slots(size_t ints) : n(ints) {
    const size_t bytes = ints * sizeof(int32_t);
    if (bytes >= kHugePage) {
      p = static_cast<int32_t*>(MapLarge(bytes));
    } else {
      p = static_cast<int32_t*>(std::malloc(bytes));
    }
    if (!p) throw std::bad_alloc();
    std::memset(p, 0xff, bytes);
  }
  Slots(const Slots&) = delete;
  Slots& operator=(const Slots&) = delete;
  ~Slots() { if (n * sizeof(int32_t) >= kHugePage) munmap(p, n * sizeof(int32_t)); else std::free(p); }
  void Swap(Slots& o) { std::swap(p, o.p); std::swap(n, o.n); }
};

// An open-addressing table of terms. Nodes are numbered in the order they are first met.
struct TermTable {
  Grow<char16_t> units;  // every token's UTF-16 units, one after the other
  Grow<Node> nodes;
  Slots tokSlots{4 << 14};   // (hash, node, start, length): a probe compares without the node
  Slots pairSlots{4 << 16};  // (prefix, last, node, unused)
  int32_t tokens = 0, pairs = 0;
  // The term nodes of the documents scanned since the last textTake, and their offsets.
  Grow<int32_t> out, offsets;

  int32_t size() const { return static_cast<int32_t>(nodes.size); }

  int32_t NewNode(int32_t p, int32_t l, uint32_t s, int32_t len) {
    const int32_t id = size();
    nodes.Push(Node{p, l < 0 ? id : l, s, len, -1, 0, 0, 0});
    return id;
  }

  static uint32_t Mix(uint32_t h) { return h ^ (h >> 16); }
  size_t TokenSlot(uint32_t h) const { return Mix(h) & ((tokSlots.n >> 2) - 1); }

  // The node of the token u[0, n) with FNV-1a hash h; −1 when absent and not `create`.
  int32_t Token(const char16_t* u, int32_t n, uint32_t h, bool create) {
    int32_t* slots = tokSlots.p;
    const size_t mask = (tokSlots.n >> 2) - 1;
    size_t i = Mix(h) & mask;
    for (;;) {
      const int32_t* slot = slots + 4 * i;
      if (slot[1] == -1) break;
      if (static_cast<uint32_t>(slot[0]) == h && slot[3] == n && std::memcmp(&units[static_cast<uint32_t>(slot[2])], u, sizeof(char16_t) * n) == 0)
        return slot[1];
      i = (i + 1) & mask;
    }
    if (!create) return -1;
    const uint32_t start = static_cast<uint32_t>(units.size);
    const int32_t id = NewNode(-1, -1, start, n);
    units.Reserve(units.size + n);
    std::memcpy(units.data + units.size, u, sizeof(char16_t) * n);
    units.size += n;
    int32_t* slot = slots + 4 * i;
    slot[0] = static_cast<int32_t>(h);
    slot[1] = id;
    slot[2] = static_cast<int32_t>(start);
    slot[3] = n;
    if (2 * ++tokens > static_cast<int64_t>(tokSlots.n >> 2)) GrowTokens();
    return id;
  }

  void GrowTokens() { Double(tokSlots, 1, [](const int32_t* slot) { return Mix(static_cast<uint32_t>(slot[0])); }); }

  // Double a table of 4-int slots: `used` is the field that is −1 in a free slot, `hash` a slot's hash.
  template <typename Hash>
  static void Double(Slots& table, int used, Hash hash) {
    Slots old(2 * table.n);
    old.Swap(table);
    const size_t mask = (table.n >> 2) - 1;
    for (size_t k = 0; k < old.n; k += 4) {
      if (old.p[k + used] == -1) continue;
      size_t i = hash(old.p + k) & mask;
      while (table.p[4 * i + used] != -1) i = (i + 1) & mask;
      std::memcpy(table.p + 4 * i, old.p + k, 4 * sizeof(int32_t));
    }
  }

  static uint32_t PairHash(int32_t a, int32_t b) {
    const uint32_t h = (static_cast<uint32_t>(a) * 0x9e3779b1u) ^ ((static_cast<uint32_t>(b) + 0x7f4a7c15u) * 0x85ebca77u);
    return h ^ (h >> 15);
  }
  const int32_t* PairSlot(int32_t a, int32_t b) const { return pairSlots.p + 4 * (PairHash(a, b) & ((pairSlots.n >> 2) - 1)); }

  // The node of the n-gram (node a, token node b); −1 when absent and not `create`.
  int32_t Pair(int32_t a, int32_t b, bool create) {
    int32_t* slots = pairSlots.p;
    const size_t mask = (pairSlots.n >> 2) - 1;
    size_t i = PairHash(a, b) & mask;
    for (;;) {
      const int32_t k = slots[4 * i];
      if (k == -1) break;
      if (k == a && slots[4 * i + 1] == b) return slots[4 * i + 2];
      i = (i + 1) & mask;
    }
    if (!create) return -1;
    const int32_t id = NewNode(a, b, 0, 0);
    slots[4 * i] = a;
    slots[4 * i + 1] = b;
    slots[4 * i + 2] = id;
    if (2 * ++pairs > static_cast<int64_t>(pairSlots.n >> 2)) GrowPairs();
    return id;
  }

  void GrowPairs() { Double(pairSlots, 0, [](const int32_t* slot) { return PairHash(slot[0], slot[1]); }); }
};

constexpr uint32_t kFnvBasis = 0x811c9dc5u, kFnvPrime = 0x01000193u;

TermTable* Table(const Napi::CallbackInfo& info, size_t i) {
  if (i >= info.Length() || !info[i].IsExternal()) {
    Fail(info.Env(), "xmlc native: expected a term table handle");
    return nullptr;
  }
  return info[i].As<Napi::External<TermTable>>().Data();
}

// textTableNew() → a handle to an empty term table.
Napi::Value TextTableNew(const Napi::CallbackInfo& info) {
  return Napi::External<TermTable>::New(info.Env(), new TermTable(), [](Napi::Env, TermTable* t) { delete t; });
}

// textScan(table, texts, docBase, ngramMin, ngramMax, create, bmpClass, astralClass | null, lowercase) → done:
// the term nodes of texts[0, done) (lower-cased first when `lowercase`: ASCII text here, any other
// by JavaScript's own String.prototype.toLowerCase), in text order, appended to the
// table's scan buffer (textTake hands it over). bmpClass[u] is 1 for a BMP unit of
// [\p{L}\p{M}\p{N}]; astralClass is a bitset over code points (bit cp & 7 of byte cp >> 3). When a
// text holds a surrogate pair and astralClass is null, the scan stops before that text (done <
// texts.length). With `create`, new terms become nodes and every node met counts in the
// statistics (as document docBase + d); without, terms not in the table are skipped (and their
// extensions).
Napi::Value TextScan(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TermTable* t = Table(info, 0);
  if (!t) return env.Undefined();
  if (info.Length() != 9 || !info[1].IsArray()) return Fail(env, "textScan: expected (table, texts, docBase, ngramMin, ngramMax, create, bmpClass, astralClass, lowercase)"), env.Undefined();
  Napi::Array texts = info[1].As<Napi::Array>();
  const int64_t docBase = Int(info, 2), lo = Int(info, 3), hi = Int(info, 4);
  const bool create = info[5].ToBoolean();
  uint8_t* bmp = nullptr;
  size_t bmpLen = 0;
  if (!Arr<uint8_t, napi_uint8_array>(info, 6, &bmp, &bmpLen) || bmpLen != 65536) return Fail(env, "textScan: bmpClass must be a Uint8Array of 65536"), env.Undefined();
  uint8_t* astral = nullptr;
  size_t astralLen = 0;
  if (!info[7].IsNull() && (!Arr<uint8_t, napi_uint8_array>(info, 7, &astral, &astralLen) || astralLen != (0x110000 >> 3)))
    return Fail(env, "textScan: astralClass must be null or a Uint8Array of 139264"), env.Undefined();
  if (lo < 1 || hi < lo) return Fail(env, "textScan: bad n-gram range"), env.Undefined();
  const bool lowercase = info[8].ToBoolean();
  Napi::Function toLowerCase;
  if (lowercase) toLowerCase = env.Global().Get("String").As<Napi::Object>().Get("prototype").As<Napi::Object>().Get("toLowerCase").As<Napi::Function>();

  const uint32_t n = texts.Length();
  Grow<int32_t>& nodes = t->out;
  if (t->offsets.size == 0) t->offsets.Push(0);
  std::vector<int32_t> ids;
  std::vector<char16_t> buf;
  uint32_t done = 0;
  for (; done < n; done++) {
    napi_value v = texts.Get(done);
    size_t len = 0;
    if (napi_get_value_string_utf16(env, v, nullptr, 0, &len) != napi_ok) return Fail(env, "textScan: every text must be a string"), env.Undefined();
    buf.resize(len + 1);
    napi_get_value_string_utf16(env, v, buf.data(), len + 1, &len);
    if (lowercase) {
      // ASCII: A–Z → a–z here (what toLowerCase does to ASCII); anything else: toLowerCase itself
      // (Unicode's mappings, which may change the length).
      bool ascii = true;
      for (size_t i = 0; i < len; i++) {
        const char16_t c = buf[i];
        if (c >= 0x80) { ascii = false; break; }
        if (c >= 'A' && c <= 'Z') buf[i] = static_cast<char16_t>(c + ('a' - 'A'));
      }
      if (!ascii) {
        napi_value lower = toLowerCase.Call(v, {});
        if (env.IsExceptionPending()) return env.Undefined();
        napi_get_value_string_utf16(env, lower, nullptr, 0, &len);
        buf.resize(len + 1);
        napi_get_value_string_utf16(env, lower, buf.data(), len + 1, &len);
      }
    }
    const char16_t* s = buf.data();
    // Tokens → nodes.
    ids.clear();
    bool needAstral = false;
    for (size_t i = 0; i < len;) {
      uint32_t c = s[i], w = 1;
      bool word;
      if ((c & 0xfc00) == 0xd800 && i + 1 < len && (s[i + 1] & 0xfc00) == 0xdc00) {
        if (!astral) { needAstral = true; break; }
        const uint32_t cp = 0x10000 + ((c - 0xd800) << 10) + (s[i + 1] - 0xdc00);
        w = 2;
        word = (astral[cp >> 3] >> (cp & 7)) & 1;
      } else {
        word = bmp[c] == 1;
      }
      if (!word) { i += w; continue; }
      const size_t from = i;
      uint32_t h = kFnvBasis, points = 0;
      for (;;) {
        h = (h ^ c) * kFnvPrime;
        if (w == 2) h = (h ^ s[i + 1]) * kFnvPrime;
        i += w;
        points++;
        if (i >= len) break;
        c = s[i];
        w = 1;
        if ((c & 0xfc00) == 0xd800 && i + 1 < len && (s[i + 1] & 0xfc00) == 0xdc00) {
          if (!astral) { needAstral = true; break; }
          const uint32_t cp = 0x10000 + ((c - 0xd800) << 10) + (s[i + 1] - 0xdc00);
          w = 2;
          if (!((astral[cp >> 3] >> (cp & 7)) & 1)) break;
        } else if (bmp[c] != 1) {
          break;
        }
      }
      if (needAstral) break;
      if (points < 2) continue;
      ids.push_back(t->Token(s + from, static_cast<int32_t>(i - from), h, create));
    }
    if (needAstral) break;
    // Word n-grams of the tokens (a term absent from the table ends its extensions).
    const size_t k = ids.size();
    const size_t first = nodes.size;
    nodes.Reserve(nodes.size + k * static_cast<size_t>(hi - lo + 1));
    // The bigrams' slots are known now: fetch them all before the walk needs them (each is
    // likely a cache miss; issued together, the misses overlap).
    if (hi >= 2)
      for (size_t i = 0; i + 1 < k; i++)
        if (ids[i] >= 0 && ids[i + 1] >= 0) __builtin_prefetch(t->PairSlot(ids[i], ids[i + 1]));
    for (size_t i = 0; i < k; i++) {
      int32_t node = ids[i];
      if (node < 0) continue;
      if (lo == 1) nodes.data[nodes.size++] = node;
      for (int64_t m = 2; m <= hi && i + m <= k; m++) {
        const int32_t next = ids[i + m - 1];
        if (next < 0) break;
        node = t->Pair(node, next, create);
        if (node < 0) break;
        if (m >= lo) nodes.data[nodes.size++] = node;
      }
    }
    if (create) {
      const int32_t d = static_cast<int32_t>(docBase + done);
      for (size_t q = first; q < nodes.size; q++) {
        if (q + 8 < nodes.size) __builtin_prefetch(&t->nodes[nodes[q + 8]]);
        Node& x = t->nodes[nodes[q]];
        if (x.lastDoc != d) { x.lastDoc = d; x.df++; }
        x.count++;
      }
    }
    t->offsets.Push(static_cast<int32_t>(nodes.size));
  }
  return Napi::Number::New(env, done);
}

// textTake(table) → { nodes, offsets }: the scan buffer (every document scanned since the last
// call: document d's nodes at nodes[offsets[d], offsets[d + 1])), handed over without a copy.
Napi::Value TextTake(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TermTable* t = Table(info, 0);
  if (!t) return env.Undefined();
  if (t->offsets.size == 0) t->offsets.Push(0);
  Napi::Object out = Napi::Object::New(env);
  out.Set("nodes", t->out.Release(env, napi_int32_array));
  out.Set("offsets", t->offsets.Release(env, napi_int32_array));
  return out;
}

// textTableInfo(table) → { size, prefix, last, df, count }: per node.
Napi::Value TextTableInfo(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TermTable* t = Table(info, 0);
  if (!t) return env.Undefined();
  const size_t n = t->nodes.size;
  Napi::Int32Array prefix = Napi::Int32Array::New(env, n), last = Napi::Int32Array::New(env, n), df = Napi::Int32Array::New(env, n),
                   count = Napi::Int32Array::New(env, n);
  for (size_t i = 0; i < n; i++) {
    const Node& x = t->nodes[i];
    prefix[i] = x.prefix;
    last[i] = x.last;
    df[i] = x.df;
    count[i] = x.count;
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("size", Napi::Number::New(env, static_cast<double>(n)));
  out.Set("prefix", prefix);
  out.Set("last", last);
  out.Set("df", df);
  out.Set("count", count);
  return out;
}

// textTokens(table, nodes: Int32Array) → the token texts of token nodes.
Napi::Value TextTokens(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TermTable* t = Table(info, 0);
  int32_t* nodes = nullptr;
  size_t n = 0;
  if (!t || !I32(info, 1, &nodes, &n)) return env.Undefined();
  Napi::Array out = Napi::Array::New(env, n);
  for (size_t j = 0; j < n; j++) {
    const int32_t x = nodes[j];
    if (x < 0 || x >= t->size() || t->nodes[x].prefix != -1) return Fail(env, "textTokens: not a token node"), env.Undefined();
    out.Set(static_cast<uint32_t>(j), Napi::String::New(env, &t->units[t->nodes[x].start], t->nodes[x].length));
  }
  return out;
}

// textToken(table, token: string, create) → its node (−1 when absent and not create).
Napi::Value TextToken(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TermTable* t = Table(info, 0);
  if (!t || info.Length() != 3 || !info[1].IsString()) return Fail(env, "textToken: expected (table, token, create)"), env.Undefined();
  const std::u16string s = info[1].As<Napi::String>().Utf16Value();
  uint32_t h = kFnvBasis;
  for (char16_t c : s) h = (h ^ c) * kFnvPrime;
  return Napi::Number::New(env, t->Token(s.data(), static_cast<int32_t>(s.size()), h, info[2].ToBoolean()));
}

// textPair(table, a, b, create) → the node of the n-gram (node a, token node b).
Napi::Value TextPair(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  TermTable* t = Table(info, 0);
  if (!t || info.Length() != 4) return Fail(env, "textPair: expected (table, a, b, create)"), env.Undefined();
  const int64_t a = Int(info, 1), b = Int(info, 2);
  if (a < 0 || b < 0 || a >= t->size() || b >= t->size() || t->nodes[b].prefix != -1) return Fail(env, "textPair: not a node and a token node"), env.Undefined();
  return Napi::Number::New(env, t->Pair(static_cast<int32_t>(a), static_cast<int32_t>(b), info[3].ToBoolean()));
}

// No fused multiply-add here: the row values must be the bits of the JavaScript fallback's
// separate multiplies and adds.
#pragma GCC push_options
#pragma GCC optimize("fp-contract=off")

// tfidfRows(nodes, offsets, feature, idf, tfWeight) → { rowPtr, indices, values }: document d's row
// from its nodes[offsets[d], offsets[d + 1]) — feature[node] (−1: dropped), tf counted, value
// tfWeight[tf]·idf[f], ℓ2-normalised with the norm summed in the order the features are met, the
// row's features sorted. tfWeight must cover every count (the longest document's node count).
Napi::Value TfidfRows(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int32_t *nodes = nullptr, *offsets = nullptr, *feature = nullptr;
  float* idf = nullptr;
  double* tfw = nullptr;
  size_t nNodes = 0, nOff = 0, nFeat = 0, nIdf = 0, nTfw = 0;
  if (!I32(info, 0, &nodes, &nNodes) || !I32(info, 1, &offsets, &nOff) || !I32(info, 2, &feature, &nFeat) || !F32(info, 3, &idf, &nIdf) ||
      !Arr<double, napi_float64_array>(info, 4, &tfw, &nTfw))
    return env.Undefined();
  if (nOff < 1) return Fail(env, "tfidfRows: offsets must not be empty"), env.Undefined();
  const size_t n = nOff - 1;
  Grow<int32_t> rowPtr, indices;
  Grow<float> values;
  rowPtr.Reserve(n + 1);
  rowPtr.Push(0);
  std::vector<int32_t> touched, count(nIdf, 0);
  for (size_t d = 0; d < n; d++) {
    const int32_t from = offsets[d], to = offsets[d + 1];
    if (from < 0 || to < from || static_cast<size_t>(to) > nNodes || static_cast<size_t>(to - from) >= nTfw)
      return Fail(env, "tfidfRows: offsets out of range (or tfWeight too short)"), env.Undefined();
    touched.clear();
    for (int32_t q = from; q < to; q++) {
      const int32_t x = nodes[q];
      if (q + 16 < to && static_cast<size_t>(nodes[q + 16]) < nFeat) __builtin_prefetch(&feature[nodes[q + 16]]);
      if (x < 0 || static_cast<size_t>(x) >= nFeat) return Fail(env, "tfidfRows: node out of range"), env.Undefined();
      const int32_t f = feature[x];
      if (f >= 0 && count[f]++ == 0) touched.push_back(f);
    }
    double norm = 0;
    for (int32_t f : touched) {
      const double v = tfw[count[f]] * static_cast<double>(idf[f]);
      norm += v * v;
    }
    const double scale = norm > 0 ? 1 / std::sqrt(norm) : 0;
    std::sort(touched.begin(), touched.end());
    indices.Reserve(indices.size + touched.size());
    values.Reserve(values.size + touched.size());
    for (int32_t f : touched) {
      indices.data[indices.size++] = f;
      values.data[values.size++] = static_cast<float>(tfw[count[f]] * static_cast<double>(idf[f]) * scale);
      count[f] = 0;
    }
    rowPtr.Push(static_cast<int32_t>(indices.size));
  }
  Napi::Object out = Napi::Object::New(env);
  out.Set("rowPtr", rowPtr.Release(env, napi_int32_array));
  out.Set("indices", indices.Release(env, napi_int32_array));
  out.Set("values", values.Release(env, napi_float32_array));
  return out;
}

#pragma GCC pop_options

}  // namespace

void RegisterTextTerms(Napi::Env env, Napi::Object exports) {
  exports.Set("textTableNew", Napi::Function::New(env, TextTableNew));
  exports.Set("textScan", Napi::Function::New(env, TextScan));
  exports.Set("textTake", Napi::Function::New(env, TextTake));
  exports.Set("textTableInfo", Napi::Function::New(env, TextTableInfo));
  exports.Set("textTokens", Napi::Function::New(env, TextTokens));
  exports.Set("textToken", Napi::Function::New(env, TextToken));
  exports.Set("textPair", Napi::Function::New(env, TextPair));
  exports.Set("tfidfRows", Napi::Function::New(env, TfidfRows));
}

}  // namespace xmlc
