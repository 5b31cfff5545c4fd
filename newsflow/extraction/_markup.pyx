# cython: language_level=3, boundscheck=False
"""One pass over a page's UTF-8 bytes counting what makes Lexbor's tree builder slow.

Why: the tree builder is quadratic in several shapes of markup (attributes of one
element, distinct attribute and tag names, nesting depth, formatting elements cloned
into every new paragraph), and a tree that is being built cannot be interrupted. So
``extract.parse_tree`` asks this scan first; ``extract.markup_stats_python`` is the
same scan in Python (same numbers, slower) for installs without a C compiler.

The scan follows the HTML tokenizer closely enough to count (tags, attributes with
quoted values, comments, raw-text elements such as ``<script>`` and ``<title>``, which
foreign content (``<svg>``, ``<math>``) does not have) and models the list of active
formatting elements of the tree builder (pushes, the "Noah's Ark" limit of three equal
entries, removal by end tags, markers) to estimate how many elements the builder
will clone. Every figure is an estimate that errs high on broken markup.
"""

from libc.stdint cimport uint8_t, uint64_t


cdef extern from *:
    """
    #include <stdint.h>
    #include <stdlib.h>
    #include <string.h>

    #define NF_FORMAT   1
    #define NF_MARKER   2
    #define NF_BARRIER  4
    #define NF_ROOT     8
    #define NF_NOTNEST 16
    #define NF_RAW     32
    #define NF_CELL    64   /* td, th: closed by the next cell or row */
    #define NF_ROWLIKE 128  /* tr, tbody, thead, tfoot: close an open cell */
    #define NF_FOREIGN 256  /* svg, math */
    #define NF_ADOPT   512  /* a, nobr: a new one closes the previous one */
    #define NF_PLAIN  1024  /* plaintext: the rest of the page is text */
    #define NF_CLOSEP 2048  /* closes an open <p> (and what is open inside it) */
    #define NF_P      4096

    #define NF_FNV 14695981039346656037ULL
    /* Active formatting entries modelled; one more stops the scan (the page is refused:
       each push compares with every entry, so the bound also bounds the scan). */
    #define NF_MAX_ENTRIES 512
    #define NF_MAX_SCOPES 8192   /* open markers and scope barriers modelled */

    typedef struct { const char *name; int kind; } nf_tag_t;

    /* Tags the scan treats specially, with their kinds. The tag "code" stored for a
       formatting entry is its index here. */
    static const nf_tag_t NF_TAGS[] = {
        {"a", NF_FORMAT | NF_ADOPT}, {"b", NF_FORMAT}, {"big", NF_FORMAT},
        {"code", NF_FORMAT}, {"em", NF_FORMAT}, {"font", NF_FORMAT}, {"i", NF_FORMAT},
        {"nobr", NF_FORMAT | NF_ADOPT}, {"s", NF_FORMAT}, {"small", NF_FORMAT},
        {"strike", NF_FORMAT}, {"strong", NF_FORMAT}, {"tt", NF_FORMAT},
        {"u", NF_FORMAT},
        {"applet", NF_MARKER | NF_BARRIER}, {"object", NF_MARKER | NF_BARRIER},
        {"marquee", NF_MARKER | NF_BARRIER}, {"template", NF_MARKER | NF_BARRIER},
        {"caption", NF_MARKER | NF_BARRIER},
        {"td", NF_MARKER | NF_BARRIER | NF_CELL | NF_NOTNEST},
        {"th", NF_MARKER | NF_BARRIER | NF_CELL | NF_NOTNEST},
        {"table", NF_BARRIER | NF_CLOSEP}, {"svg", NF_BARRIER | NF_FOREIGN},
        {"math", NF_BARRIER | NF_FOREIGN},
        {"tr", NF_ROWLIKE | NF_NOTNEST}, {"tbody", NF_ROWLIKE | NF_NOTNEST},
        {"thead", NF_ROWLIKE | NF_NOTNEST}, {"tfoot", NF_ROWLIKE | NF_NOTNEST},
        {"html", NF_ROOT | NF_NOTNEST}, {"body", NF_ROOT | NF_NOTNEST},
        {"head", NF_NOTNEST},
        {"script", NF_RAW}, {"style", NF_RAW}, {"xmp", NF_RAW | NF_CLOSEP}, {"iframe", NF_RAW},
        {"noembed", NF_RAW}, {"noframes", NF_RAW}, {"textarea", NF_RAW},
        {"title", NF_RAW}, {"plaintext", NF_PLAIN | NF_CLOSEP},
        {"area", NF_NOTNEST}, {"base", NF_NOTNEST}, {"br", NF_NOTNEST},
        {"col", NF_NOTNEST}, {"embed", NF_NOTNEST}, {"hr", NF_NOTNEST | NF_CLOSEP},
        {"img", NF_NOTNEST}, {"input", NF_NOTNEST}, {"link", NF_NOTNEST},
        {"meta", NF_NOTNEST}, {"source", NF_NOTNEST}, {"track", NF_NOTNEST},
        {"wbr", NF_NOTNEST}, {"p", NF_NOTNEST | NF_CLOSEP | NF_P}, {"li", NF_NOTNEST},
        {"dt", NF_NOTNEST}, {"dd", NF_NOTNEST}, {"option", NF_NOTNEST},
        {"optgroup", NF_NOTNEST}, {"colgroup", NF_NOTNEST}, {"rb", NF_NOTNEST},
        {"rp", NF_NOTNEST}, {"rt", NF_NOTNEST}, {"rtc", NF_NOTNEST},
        {"address", NF_CLOSEP}, {"article", NF_CLOSEP}, {"aside", NF_CLOSEP},
        {"blockquote", NF_CLOSEP}, {"center", NF_CLOSEP}, {"details", NF_CLOSEP},
        {"dialog", NF_CLOSEP}, {"dir", NF_CLOSEP}, {"div", NF_CLOSEP}, {"dl", NF_CLOSEP},
        {"fieldset", NF_CLOSEP}, {"figcaption", NF_CLOSEP}, {"figure", NF_CLOSEP},
        {"footer", NF_CLOSEP}, {"form", NF_CLOSEP}, {"header", NF_CLOSEP},
        {"hgroup", NF_CLOSEP}, {"main", NF_CLOSEP}, {"menu", NF_CLOSEP}, {"nav", NF_CLOSEP},
        {"ol", NF_CLOSEP}, {"pre", NF_CLOSEP}, {"listing", NF_CLOSEP},
        {"section", NF_CLOSEP}, {"summary", NF_CLOSEP}, {"ul", NF_CLOSEP},
        {"h1", NF_CLOSEP}, {"h2", NF_CLOSEP}, {"h3", NF_CLOSEP}, {"h4", NF_CLOSEP},
        {"h5", NF_CLOSEP}, {"h6", NF_CLOSEP},
    };
    #define NF_NTAGS ((int) (sizeof(NF_TAGS) / sizeof(NF_TAGS[0])))

    /* Character classes of the tokenizer, one table lookup per byte. */
    #define NF_C_SPACE 1
    #define NF_C_SLASH 2
    #define NF_C_GT 4
    #define NF_C_EQ 8
    static uint8_t NF_CLASS[256];
    /* Tags by length and first letter: (len, letter) -> up to 8 indices into NF_TAGS (-1 ends). */
    static int8_t NF_BUCKET[11][26][8];

    static void nf_init(void) {
        NF_CLASS[' '] = NF_CLASS['\\t'] = NF_CLASS['\\n'] = NF_CLASS['\\f'] = NF_CLASS['\\r'] = NF_C_SPACE;
        NF_CLASS['/'] = NF_C_SLASH;
        NF_CLASS['>'] = NF_C_GT;
        NF_CLASS['='] = NF_C_EQ;
        memset(NF_BUCKET, -1, sizeof(NF_BUCKET));
        for (int t = 0; t < NF_NTAGS; t++) {
            size_t len = strlen(NF_TAGS[t].name);
            int8_t *b = NF_BUCKET[len][NF_TAGS[t].name[0] - 'a'];
            int k = 0;
            while (b[k] >= 0) k++;
            b[k] = (int8_t) t;
        }
    }

    static inline int nf_space(uint8_t c) { return NF_CLASS[c] & NF_C_SPACE; }
    static inline uint8_t nf_lower(uint8_t c) {
        return (c >= 'A' && c <= 'Z') ? (uint8_t) (c + 32) : c;
    }
    static inline int nf_alpha(uint8_t c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /* Index into NF_TAGS of a tag name, or -1. */
    static int nf_tag_index(const uint8_t *name, size_t len) {
        char buf[12];
        if (len == 0 || len > 10) return -1;
        for (size_t k = 0; k < len; k++) buf[k] = (char) nf_lower(name[k]);
        if (buf[0] < 'a' || buf[0] > 'z') return -1;
        const int8_t *b = NF_BUCKET[len][buf[0] - 'a'];
        for (int k = 0; k < 8 && b[k] >= 0; k++) {
            if (memcmp(NF_TAGS[b[k]].name, buf, len) == 0) return b[k];
        }
        return -1;
    }

    static inline uint64_t nf_hash(const uint8_t *p, size_t len, uint64_t h) {
        for (size_t k = 0; k < len; k++) {
            h ^= nf_lower(p[k]);
            h *= 1099511628211ULL;
        }
        return h;
    }

    /* A set of 64-bit hashes that stops growing at `cap` members. */
    typedef struct { uint64_t *slots; size_t mask; Py_ssize_t count; Py_ssize_t cap; } nf_set_t;

    static int nf_set_init(nf_set_t *s, Py_ssize_t cap) {
        size_t size = 1024;
        while ((Py_ssize_t) (size / 2) < cap + 1) size *= 2;
        s->slots = (uint64_t *) calloc(size, sizeof(uint64_t));
        s->mask = size - 1;
        s->count = 0;
        s->cap = cap;
        return s->slots != NULL;
    }
    static void nf_set_add(nf_set_t *s, uint64_t h) {
        if (s->count > s->cap) return;
        if (h == 0) h = 1;  /* 0 marks an empty slot */
        size_t i = (size_t) h & s->mask;
        while (s->slots[i] != 0) {
            if (s->slots[i] == h) return;
            i = (i + 1) & s->mask;
        }
        s->slots[i] = h;
        s->count++;
    }

    typedef struct { int tag; uint64_t attrs; Py_ssize_t weight; } nf_entry_t;
    /* An open marker or scope barrier: where the list stood, its weight after the last
       marker, and the nesting depth and open <p> to return to when it closes. */
    typedef struct {
        int tag; Py_ssize_t pos; Py_ssize_t saved; int marker;
        Py_ssize_t depth; Py_ssize_t p_depth;
    } nf_scope_t;

    typedef struct {
        Py_ssize_t tags;          /* start tags */
        Py_ssize_t attrs;         /* attributes, on start and end tags */
        Py_ssize_t max_attrs;     /* most attributes in one tag */
        Py_ssize_t root_attrs;    /* attributes of every <html> and <body> start tag */
        Py_ssize_t depth;         /* deepest nesting (optional end tags not counted) */
        Py_ssize_t clones;        /* elements and attributes the builder may clone */
        Py_ssize_t formatting;    /* most active formatting entries at once */
        Py_ssize_t tag_names;     /* distinct tag names (-1: not counted) */
        Py_ssize_t attr_names;    /* distinct attribute names (-1: not counted) */
    } nf_stats_t;

    typedef struct {
        nf_entry_t *list; Py_ssize_t n;      /* active formatting entries */
        nf_scope_t *scopes; Py_ssize_t ns;   /* open markers and barriers */
        Py_ssize_t last_marker;              /* list position after the last marker */
        Py_ssize_t weight;                   /* weight of the entries after it */
        int foreign;                         /* open <svg>/<math> */
        Py_ssize_t depth;                    /* nesting depth now */
        Py_ssize_t p_depth;                  /* depth at the open <p>, or -1 */
    } nf_model_t;

    static Py_ssize_t nf_scope_floor(const nf_model_t *m) {
        return m->ns ? m->scopes[m->ns - 1].pos : 0;
    }

    static void nf_remove_entry(nf_model_t *m, Py_ssize_t k) {
        if (k >= m->last_marker) m->weight -= m->list[k].weight;
        memmove(m->list + k, m->list + k + 1, (size_t) (m->n - k - 1) * sizeof(nf_entry_t));
        m->n--;
    }

    /* Pop scopes down to and including index `k`: a popped marker clears the list of
       active formatting elements back to it. */
    static void nf_pop_scopes(nf_model_t *m, Py_ssize_t k) {
        while (m->ns > k) {
            nf_scope_t *s = &m->scopes[--m->ns];
            if (NF_TAGS[s->tag].kind & NF_FOREIGN) m->foreign--;
            m->depth = s->depth;  /* what was opened inside it is closed with it */
            m->p_depth = s->p_depth;
            if (s->marker) {
                if (m->n > s->pos) m->n = s->pos;
                m->weight = s->saved;
                m->last_marker = 0;
                for (Py_ssize_t j = m->ns - 1; j >= 0; j--) {
                    if (m->scopes[j].marker) { m->last_marker = m->scopes[j].pos; break; }
                }
            }
        }
    }

    /* The topmost open scope with this tag, looking at most 64 scopes down, or -1. */
    static Py_ssize_t nf_find_scope(const nf_model_t *m, int tag) {
        for (Py_ssize_t j = m->ns - 1; j >= 0 && j >= m->ns - 64; j--) {
            if (m->scopes[j].tag == tag) return j;
        }
        return -1;
    }

    static void nf_close_cell(nf_model_t *m) {
        while (m->ns && (NF_TAGS[m->scopes[m->ns - 1].tag].kind & NF_CELL))
            nf_pop_scopes(m, m->ns - 1);
    }

    static int nf_start_tag(nf_model_t *m, nf_stats_t *st, int t, uint64_t attrs,
                            Py_ssize_t nattrs) {
        int kind = NF_TAGS[t].kind;
        if (kind & (NF_CELL | NF_ROWLIKE)) nf_close_cell(m);
        if (kind & NF_ADOPT) {
            for (Py_ssize_t k = m->n - 1; k >= m->last_marker; k--) {
                if (m->list[k].tag == t) { nf_remove_entry(m, k); break; }
            }
        }
        if (kind & NF_FORMAT) {
            Py_ssize_t same = 0, first = -1;
            for (Py_ssize_t k = m->last_marker; k < m->n; k++) {
                if (m->list[k].tag == t && m->list[k].attrs == attrs) {
                    if (first < 0) first = k;
                    same++;
                }
            }
            if (same >= 3) nf_remove_entry(m, first);  /* Noah's Ark */
            if (m->n >= NF_MAX_ENTRIES) {
                st->formatting = NF_MAX_ENTRIES + 1;
                return 0;
            }
            m->list[m->n].tag = t;
            m->list[m->n].attrs = attrs;
            m->list[m->n].weight = 1 + nattrs;
            m->weight += 1 + nattrs;
            m->n++;
            if (m->n > st->formatting) st->formatting = m->n;
        }
        if (kind & NF_BARRIER) {
            if (m->ns >= NF_MAX_SCOPES) {
                st->depth = st->depth > NF_MAX_SCOPES ? st->depth : NF_MAX_SCOPES + 1;
                return 1;
            }
            nf_scope_t *s = &m->scopes[m->ns++];
            s->tag = t;
            s->pos = m->n;
            s->saved = m->weight;
            s->marker = (kind & NF_MARKER) != 0;
            s->depth = m->depth;
            s->p_depth = m->p_depth;
            if (s->marker) { m->last_marker = m->n; m->weight = 0; }
            if (kind & NF_FOREIGN) m->foreign++;
        }
        return 1;
    }

    static void nf_end_tag(nf_model_t *m, int t) {
        int kind = NF_TAGS[t].kind;
        if (kind & NF_FORMAT) {
            Py_ssize_t floor = nf_scope_floor(m);
            for (Py_ssize_t k = m->n - 1; k >= floor; k--) {
                if (m->list[k].tag == t) { nf_remove_entry(m, k); break; }
            }
        }
        if (kind & NF_ROWLIKE) nf_close_cell(m);
        if (kind & NF_BARRIER) {
            Py_ssize_t k = nf_find_scope(m, t);
            if (k >= 0) nf_pop_scopes(m, k);
        }
    }

    /* Where the raw text of element `t` ends: just before its end tag, or at `n`. */
    static Py_ssize_t nf_raw_end(const uint8_t *p, Py_ssize_t i, Py_ssize_t n, int t) {
        const char *name = NF_TAGS[t].name;
        size_t len = strlen(name);
        while (i < n) {
            const uint8_t *lt = (const uint8_t *) memchr(p + i, '<', (size_t) (n - i));
            if (lt == NULL) return n;
            Py_ssize_t j = lt - p;
            if (j + 2 + (Py_ssize_t) len < n && p[j + 1] == '/') {
                size_t k = 0;
                while (k < len && nf_lower(p[j + 2 + k]) == (uint8_t) name[k]) k++;
                if (k == len) {
                    uint8_t c = p[j + 2 + len];
                    if (nf_space(c) || c == '/' || c == '>') return j;
                }
            }
            i = j + 1;
        }
        return n;
    }

    /* Scan `p[0:n]`; `distinct` also counts distinct tag and attribute names (up to
       `cap` each). Returns 0 when memory ran out. */
    static int nf_scan(const uint8_t *p, Py_ssize_t n, int distinct, Py_ssize_t cap,
                       nf_stats_t *st) {
        nf_model_t m;
        nf_set_t tag_set, attr_set;
        int ok = 1;
        memset(st, 0, sizeof(*st));
        st->tag_names = st->attr_names = -1;
        memset(&m, 0, sizeof(m));
        tag_set.slots = attr_set.slots = NULL;
        m.list = (nf_entry_t *) malloc(NF_MAX_ENTRIES * sizeof(nf_entry_t));
        m.scopes = (nf_scope_t *) malloc(NF_MAX_SCOPES * sizeof(nf_scope_t));
        if (m.list == NULL || m.scopes == NULL) { ok = 0; goto done; }
        if (distinct && !(nf_set_init(&tag_set, cap) && nf_set_init(&attr_set, cap))) {
            ok = 0;
            goto done;
        }
        Py_ssize_t i = 0;
        /* depth when the open <p> was opened: a block start or </p> closes it, and
           the formatting elements left open inside it with it */
        m.p_depth = -1;
        while (i < n) {
            const uint8_t *lt = (const uint8_t *) memchr(p + i, '<', (size_t) (n - i));
            if (lt == NULL) break;
            i = lt - p + 1;
            if (i >= n) break;
            uint8_t c = p[i];
            if (c == '!' || c == '?') {
                if (c == '!' && i + 2 < n && p[i + 1] == '-' && p[i + 2] == '-') {
                    /* a comment: up to "-->" ("<!-->" and "<!--->" end at once) */
                    Py_ssize_t j = i + 1;
                    for (;;) {
                        const uint8_t *d = (const uint8_t *) memchr(p + j, '-', (size_t) (n - j));
                        if (d == NULL) { i = n; break; }
                        j = d - p;
                        if (j + 2 < n && p[j + 1] == '-' && p[j + 2] == '>') { i = j + 3; break; }
                        j++;
                    }
                } else {
                    const uint8_t *gt = (const uint8_t *) memchr(p + i, '>', (size_t) (n - i));
                    i = gt == NULL ? n : gt - p + 1;
                }
                continue;
            }
            int end = 0;
            if (c == '/') {
                end = 1;
                i++;
                if (i >= n) break;
                c = p[i];
                if (c == '>') { i++; continue; }
                if (!nf_alpha(c)) {  /* a bogus comment, up to '>' */
                    const uint8_t *gt = (const uint8_t *) memchr(p + i, '>', (size_t) (n - i));
                    i = gt == NULL ? n : gt - p + 1;
                    continue;
                }
            } else if (!nf_alpha(c)) {
                continue;  /* "<" as text */
            }
            Py_ssize_t name = i;
            while (i < n && !(NF_CLASS[p[i]] & (NF_C_SPACE | NF_C_SLASH | NF_C_GT))) i++;
            Py_ssize_t name_len = i - name;
            int t = nf_tag_index(p + name, (size_t) name_len);
            if (distinct) nf_set_add(&tag_set, nf_hash(p + name, (size_t) name_len, NF_FNV));
            /* attributes */
            Py_ssize_t nattrs = 0, attrs_start = i;
            int self_closing = 0;
            uint64_t attrs_hash = NF_FNV;
            while (i < n) {
                c = p[i];
                if (nf_space(c)) { i++; continue; }
                if (c == '/') {
                    if (i + 1 < n && p[i + 1] == '>') { self_closing = 1; i += 2; goto tag_done; }
                    i++;
                    continue;
                }
                if (c == '>') { i++; goto tag_done; }
                /* an attribute name: its first character may be '=' */
                Py_ssize_t a = i;
                i++;
                while (i < n && !NF_CLASS[p[i]]) i++;
                nattrs++;
                if (distinct) nf_set_add(&attr_set, nf_hash(p + a, (size_t) (i - a), NF_FNV));
                Py_ssize_t after = i;
                while (after < n && nf_space(p[after])) after++;
                if (after < n && p[after] == '=') {
                    i = after + 1;
                    while (i < n && nf_space(p[i])) i++;
                    if (i < n && (p[i] == '"' || p[i] == '\\'')) {
                        const uint8_t *q = (const uint8_t *) memchr(p + i + 1, p[i], (size_t) (n - i - 1));
                        i = q == NULL ? n : q - p + 1;
                    } else {
                        while (i < n && !(NF_CLASS[p[i]] & (NF_C_SPACE | NF_C_GT))) i++;
                    }
                }
            }
        tag_done:
            st->attrs += nattrs;
            if (nattrs > st->max_attrs) st->max_attrs = nattrs;
            if (end) {
                if (t < 0 || !(NF_TAGS[t].kind & NF_NOTNEST)) {
                    if (!self_closing && m.depth > 0) m.depth--;
                } else if ((NF_TAGS[t].kind & NF_P) && m.p_depth >= 0) {
                    m.depth = m.p_depth;
                    m.p_depth = -1;
                }
                st->clones += m.weight;
                if (t >= 0) nf_end_tag(&m, t);
                continue;
            }
            st->tags++;
            st->clones += m.weight;
            int kind = t >= 0 ? NF_TAGS[t].kind : 0;
            if ((kind & NF_CLOSEP) && m.p_depth >= 0) {
                m.depth = m.p_depth;
                m.p_depth = -1;
            }
            if (kind & NF_ROOT) st->root_attrs += nattrs;
            if (t >= 0) {
                if (kind & NF_FORMAT) {
                    attrs_hash = nf_hash(p + attrs_start, (size_t) (i - attrs_start), attrs_hash);
                }
                /* before the depth grows: a new cell first closes the open one */
                if (!nf_start_tag(&m, st, t, attrs_hash, nattrs)) goto done;
            }
            if (!self_closing && !(kind & NF_NOTNEST)) {
                m.depth++;
                if (m.depth > st->depth) st->depth = m.depth;
            }
            if (kind & NF_P) m.p_depth = m.depth;
            if (t >= 0) {
                if (!m.foreign && (kind & NF_PLAIN)) break;
                if (!m.foreign && (kind & NF_RAW)) i = nf_raw_end(p, i, n, t);
            }
        }
    done:
        if (distinct) {
            st->tag_names = tag_set.count;
            st->attr_names = attr_set.count;
        }
        free(m.list);
        free(m.scopes);
        free(tag_set.slots);
        free(attr_set.slots);
        return ok;
    }
    """
    ctypedef struct nf_stats_t:
        Py_ssize_t tags
        Py_ssize_t attrs
        Py_ssize_t max_attrs
        Py_ssize_t root_attrs
        Py_ssize_t depth
        Py_ssize_t clones
        Py_ssize_t formatting
        Py_ssize_t tag_names
        Py_ssize_t attr_names

    int nf_scan(const uint8_t *p, Py_ssize_t n, int distinct, Py_ssize_t cap,
                nf_stats_t *st) nogil
    void nf_init()


nf_init()


def markup_stats(const uint8_t[::1] data, bint distinct=False, Py_ssize_t cap=0):
    """``(tags, attrs, max_attrs, root_attrs, depth, clones, formatting, tag_names,
    attr_names)`` of UTF-8 markup (see ``extract.MarkupStats``); the distinct name
    counts only with ``distinct`` (up to ``cap`` + 1), else -1."""
    cdef nf_stats_t st
    cdef int ok
    cdef Py_ssize_t n = data.shape[0]
    if n == 0:
        return (0, 0, 0, 0, 0, 0, 0, 0 if distinct else -1, 0 if distinct else -1)
    with nogil:
        ok = nf_scan(&data[0], n, distinct, cap, &st)
    if not ok:
        raise MemoryError("markup scan")
    return (
        st.tags,
        st.attrs,
        st.max_attrs,
        st.root_attrs,
        st.depth,
        st.clones,
        st.formatting,
        st.tag_names,
        st.attr_names,
    )
