#include "publish/search_page.h"

#include "render/escape.h"

namespace samizdat::publish {

std::string SearchPageHtml(const std::string& site_title, const std::string& lang) {
  const std::string title = render::EscapeXml(site_title);
  return "<!DOCTYPE html>\n<html lang=\"" + render::EscapeXml(lang) +
         "\">\n<head>\n<meta charset=\"utf-8\">\n"
         "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
         "<meta name=\"referrer\" content=\"no-referrer\">\n"
         "<meta http-equiv=\"Content-Security-Policy\" content=\"script-src 'self'\">\n"
         "<title>Search · " +
         title +
         "</title>\n<link rel=\"stylesheet\" href=\"style.css\">\n"
         "<script src=\"search.js\" defer></script>\n</head>\n<body>\n"
         "<nav><a href=\"index.html\">" +
         title +
         "</a></nav>\n<h1>Search</h1>\n"
         "<form id=\"search-form\" action=\"search.html\" method=\"get\" role=\"search\">\n"
         "<input id=\"q\" name=\"q\" type=\"search\" aria-label=\"Search\" autofocus>\n"
         "<button type=\"submit\">Search</button>\n</form>\n"
         "<p id=\"search-status\" role=\"status\"></p>\n<ol id=\"search-results\"></ol>\n"
         "<p><button id=\"search-more\" type=\"button\" hidden>More</button></p>\n"
         "<noscript>Search needs JavaScript.</noscript>\n</body>\n</html>\n";
}

namespace {

// Mirrors search/tokenizer.cc (query mode) and publish/search_shards.cc (file format).
constexpr std::string_view kSearchScript = R"JS('use strict';
// samizdat static search: reads search/manifest.json, then for each query term one bucket
// file per segment, then the details of the results shown. The file format is in
// doc/search.md.
(function () {
  const PAGE = 10;
  const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;
  const WORD = /[\p{L}\p{Nd}\p{M}]/u;
  const cache = new Map();
  const decoder = new TextDecoder();
  const encoder = new TextEncoder();

  function get(path, how) {
    if (!cache.has(path)) {
      cache.set(path, fetch(path).then(function (r) {
        if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
        return how === 'json' ? r.json() : r.arrayBuffer().then(function (b) { return new Uint8Array(b); });
      }));
    }
    return cache.get(path);
  }

  // The query terms of one space-free piece, with their positions (tokenizer.cc).
  function tokenize(text) {
    const runs = [];
    let previous = 'sep';
    for (const ch of text) {
      const cls = CJK.test(ch) ? 'cjk' : WORD.test(ch) ? 'word' : 'sep';
      if (cls !== 'sep') {
        if (cls !== previous) runs.push({ cls: cls, chars: [] });
        runs[runs.length - 1].chars.push(ch);
      }
      previous = cls;
    }
    const tokens = [];
    let pos = 0;
    runs.forEach(function (run, r) {
      const c = run.chars;
      if (run.cls === 'word') {
        tokens.push({ term: c.join('').toLowerCase(), pos: pos });
        pos += 1;
        return;
      }
      const more = r + 1 < runs.length;
      for (let i = 0; i < c.length; i++) {
        if (c.length === 1 || (i + 1 === c.length && more)) tokens.push({ term: c[i], pos: pos + i });
        if (i + 1 < c.length) tokens.push({ term: c[i] + c[i + 1], pos: pos + i });
      }
      pos += c.length;
    });
    return tokens;
  }

  function termHash(term) {
    let h = 0x811c9dc5;
    for (const b of encoder.encode(term)) h = Math.imul(h ^ b, 16777619) >>> 0;
    return h >>> 0;
  }

  function varint(buf, at) {
    let v = 0;
    let scale = 1;
    let b;
    do {
      b = buf[at.i++];
      v += (b & 0x7f) * scale;
      scale *= 128;
    } while (b & 0x80);
    return v;
  }

  // The term's postings in a bucket file: Map local doc -> Set of positions (or null).
  function postings(buf, term) {
    const at = { i: 0 };
    while (at.i < buf.length) {
      const length = varint(buf, at);
      const t = decoder.decode(buf.subarray(at.i, at.i + length));
      at.i += length;
      const withPositions = buf[at.i++] === 1;
      const size = varint(buf, at);
      const end = at.i + size;
      if (t !== term) {
        at.i = end;
        continue;
      }
      const docs = new Map();
      let doc = -1;
      while (at.i < end) {
        doc += varint(buf, at);
        let positions = null;
        if (withPositions) {
          positions = new Set();
          let p = 0;
          for (let n = varint(buf, at); n > 0; n--) positions.add(p += varint(buf, at));
        }
        docs.set(doc, positions);
      }
      return { docs: docs, positions: withPositions };
    }
    return null;
  }

  // The ordinals in segment `seg` where the piece's terms occur as a phrase.
  async function pieceInSegment(seg, tokens) {
    const name = seg[0] + '-' + seg[1];
    const lists = await Promise.all(tokens.map(function (t) {
      return get('search/' + name + '/' + (termHash(t.term) % seg[2]) + '.bin', 'bin')
        .then(function (buf) { return postings(buf, t.term); });
    }));
    if (lists.some(function (l) { return !l; })) return [];
    let docs = Array.from(lists[0].docs.keys()).filter(function (d) {
      return lists.every(function (l) { return l.docs.has(d); });
    });
    const placed = tokens.map(function (t, k) { return { q: t.pos, list: lists[k] }; })
      .filter(function (x) { return x.list.positions; });
    if (placed.length > 1) {
      docs = docs.filter(function (d) {
        for (const p of placed[0].list.docs.get(d)) {
          if (placed.every(function (x) { return x.list.docs.get(d).has(p + x.q - placed[0].q); })) return true;
        }
        return false;
      });
    }
    return docs.map(function (d) { return seg[0] + d; });
  }

  // Every article holding each piece of the query, newest first.
  async function search(manifest, query) {
    const pieces = query.split(/\s+/).map(tokenize).filter(function (t) { return t.length; });
    if (!pieces.length) return [];
    let found = null;
    for (const tokens of pieces) {
      const perSegment = await Promise.all(manifest.segments.map(function (s) { return pieceInSegment(s, tokens); }));
      const here = new Set(perSegment.flat());
      found = found ? new Set(Array.from(found).filter(function (d) { return here.has(d); })) : here;
    }
    return Array.from(found).sort(function (a, b) { return b - a; });
  }

  async function showPage(manifest, hits, from, list) {
    const shown = hits.slice(from, from + PAGE);
    const details = await Promise.all(shown.map(function (o) {
      return get('search/docs/' + Math.floor(o / manifest.chunk) + '.json', 'json')
        .then(function (chunk) { return chunk[o % manifest.chunk]; });
    }));
    details.forEach(function (doc) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = doc[2];
      a.textContent = doc[0] || doc[2];
      li.append(a);
      if (doc[1]) {
        const time = document.createElement('time');
        time.textContent = doc[1];
        li.append(' ', time);
      }
      list.append(li);
    });
  }

  async function run() {
    const query = new URLSearchParams(location.search).get('q') || '';
    const input = document.getElementById('q');
    const status = document.getElementById('search-status');
    const list = document.getElementById('search-results');
    const more = document.getElementById('search-more');
    input.value = query;
    if (!query.trim()) return;
    status.textContent = 'Searching…';
    try {
      const manifest = await get('search/manifest.json', 'json');
      const hits = await search(manifest, query);
      status.textContent = hits.length + (hits.length === 1 ? ' result' : ' results');
      let from = 0;
      const next = async function () {
        await showPage(manifest, hits, from, list);
        from += PAGE;
        more.hidden = from >= hits.length;
      };
      more.addEventListener('click', next);
      await next();
      document.body.dataset.searchDone = String(hits.length);
    } catch (e) {
      status.textContent = 'Search failed: ' + e.message;
    }
  }

  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', run);
  else run();
})();
)JS";

}  // namespace

std::string_view SearchScript() { return kSearchScript; }

}  // namespace samizdat::publish
