# cython: language_level=3, boundscheck=False
"""The classification pass and the walk of ``extract`` over Lexbor's own structs.

Why: in Python both passes pay for a ``LexborNode`` wrapper, a ``.tag`` and an
``.attributes`` dict per element; here the tree selectolax built is read field by
field (no Lexbor function is called, so nothing has to link against selectolax's
private copy of Lexbor) and Python is entered only for what needs it: uncached
class/id values, elements with other attributes, metadata nodes, boxes. The
results are the same objects the pure-Python path builds (``extract`` keeps it and
the unit tests compare the two).
"""

from cpython.unicode cimport PyUnicode_DecodeUTF8
from libc.stdint cimport uintptr_t
from libc.stdlib cimport free, realloc

from selectolax.lexbor cimport LexborHTMLParser, LexborNode, lxb_dom_node_t

import selectolax

# The struct layouts read below are those of the Lexbor inside this selectolax
# release (setup.py fetches its headers): another release falls back to Python.
BUILT_FOR = "1.0.2"
if getattr(selectolax, "__version__", None) != BUILT_FOR:
    raise ImportError(f"_lexwalk was built for selectolax {BUILT_FOR}")


cdef extern from *:
    """
    #include "lexbor/dom/interfaces/element.h"
    #include "lexbor/dom/interfaces/attr.h"
    #include "lexbor/dom/interfaces/character_data.h"
    #include "lexbor/tag/const.h"
    #include <string.h>

    #define NF_TEXT_TYPE LXB_DOM_NODE_TYPE_TEXT
    #define NF_ELEMENT_TYPE LXB_DOM_NODE_TYPE_ELEMENT
    #define NF_TAG_TEXT LXB_TAG__TEXT
    #define NF_TAG_LAST LXB_TAG__LAST_ENTRY
    #define NF_ATTR_CLASS LXB_DOM_ATTR_CLASS
    #define NF_ATTR_ID LXB_DOM_ATTR_ID

    static inline uintptr_t nf_elem_name(lxb_dom_node_t *n) {
        lxb_dom_element_t *e = (lxb_dom_element_t *) n;
        return e->qualified_name != 0 ? e->qualified_name : n->local_name;
    }
    static inline lxb_dom_attr_t *nf_first_attr(lxb_dom_node_t *n) {
        return ((lxb_dom_element_t *) n)->first_attr;
    }
    static inline lxb_dom_attr_t *nf_attr_next(lxb_dom_attr_t *a) { return a->next; }
    static inline uintptr_t nf_attr_name(lxb_dom_attr_t *a) {
        return a->qualified_name != 0 ? a->qualified_name : a->node.local_name;
    }
    static inline lexbor_str_t *nf_attr_value(lxb_dom_attr_t *a) { return a->value; }
    static inline lexbor_str_t *nf_text_data(lxb_dom_node_t *n) {
        return &((lxb_dom_character_data_t *) n)->data;
    }
    static inline int nf_name_is(const lxb_dom_attr_data_t *d, const char *lit, size_t n) {
        return d->entry.length == n
            && memcmp(lexbor_hash_entry_str(&d->entry), lit, n) == 0;
    }
    /* style, rel, hidden, aria-hidden, itemprop, datetime: the attributes besides
       class/id that classification reads; the others change nothing. */
    static inline int nf_attr_read(lxb_dom_attr_t *a) {
        uintptr_t id = nf_attr_name(a);
        if (id < LXB_DOM_ATTR__LAST_ENTRY) {
            return id == LXB_DOM_ATTR_STYLE || id == LXB_DOM_ATTR_REL;
        }
        const lxb_dom_attr_data_t *d = (const lxb_dom_attr_data_t *) id;
        return nf_name_is(d, "hidden", 6) || nf_name_is(d, "aria-hidden", 11)
            || nf_name_is(d, "itemprop", 8) || nf_name_is(d, "datetime", 8);
    }
    static inline int nf_blank(const lxb_char_t *p, size_t len) {
        for (size_t i = 0; i < len; i++) {
            lxb_char_t c = p[i];
            if (c != ' ' && c != '\\t' && c != '\\n' && c != '\\f' && c != '\\r') return 0;
        }
        return 1;
    }
    """
    ctypedef struct nf_attr "lxb_dom_attr_t"
    ctypedef struct nf_str "lexbor_str_t":
        unsigned char *data
        size_t length
    int NF_TEXT_TYPE
    int NF_ELEMENT_TYPE
    uintptr_t NF_TAG_TEXT
    uintptr_t NF_TAG_LAST
    uintptr_t NF_ATTR_CLASS
    uintptr_t NF_ATTR_ID
    uintptr_t nf_elem_name(lxb_dom_node_t *n) noexcept nogil
    nf_attr *nf_first_attr(lxb_dom_node_t *n) noexcept nogil
    nf_attr *nf_attr_next(nf_attr *a) noexcept nogil
    uintptr_t nf_attr_name(nf_attr *a) noexcept nogil
    nf_str *nf_attr_value(nf_attr *a) noexcept nogil
    nf_str *nf_text_data(lxb_dom_node_t *n) noexcept nogil
    int nf_blank(const unsigned char *p, size_t length) noexcept nogil
    int nf_attr_read(nf_attr *a) noexcept nogil


# Static tag ids name the same tag in every document; dynamic ones only in theirs.
cdef dict _STATIC_TAGS = {}


cdef inline str _decode(nf_str *s):
    if s == NULL or s.data == NULL:
        return None
    return PyUnicode_DecodeUTF8(<char *> s.data, s.length, "replace")


cdef str _tag_name(lxb_dom_node_t *node, LexborHTMLParser parser, dict local):
    cdef uintptr_t key = nf_elem_name(node)
    cdef dict table = _STATIC_TAGS if key < NF_TAG_LAST else local
    name = table.get(key)
    if name is None:
        name = LexborNode.new(node, parser).tag or ""
        table[key] = name
    return name


cdef inline lxb_dom_node_t *_next_pre(lxb_dom_node_t *node, lxb_dom_node_t *root) noexcept:
    """Document order inside ``root`` (exclusive), as Lexbor's selector engine visits."""
    if node.first_child != NULL:
        return node.first_child
    while node != root and node.next == NULL:
        node = node.parent
    if node == root:
        return NULL
    return node.next


def classify(
    LexborNode body,
    dict classes,
    set keep,
    dict cache,
    object lookup,
    object attr_bits,
    object note_roles,
    object deadline,
    int max_keep,
    int boiler_bit,
    int protect_bit,
):
    """The element loop of ``classify_nodes``: ``lookup(cls, ident)`` for an uncached
    class/id pair, ``attr_bits(node, cls, ident)`` (bits, and 1 when a selector of ``CLASSIFY_CSS``
    matches) for an element with other attributes, ``note_roles(node, flags)`` once
    for one with a metadata role (``body`` included)."""
    cdef LexborHTMLParser parser = body.parser
    cdef lxb_dom_node_t *root = body.node
    cdef lxb_dom_node_t *node = root
    cdef lxb_dom_node_t *p
    cdef nf_attr *attr
    cdef uintptr_t name
    cdef int n_read, n_known, flags, content, times
    cdef long count = 0
    cdef str cls, ident
    while node != NULL:
        if node.type != NF_ELEMENT_TYPE:
            node = _next_pre(node, root)
            continue
        attr = nf_first_attr(node)
        if attr == NULL:
            node = _next_pre(node, root)
            continue
        count += 1
        if count & 255 == 0:
            deadline.check()
        cls = None
        ident = None
        n_read = 0
        n_known = 0
        while attr != NULL:
            name = nf_attr_name(attr)
            if name == NF_ATTR_CLASS:
                cls = _decode(nf_attr_value(attr))
                n_known += 1
            elif name == NF_ATTR_ID:
                ident = _decode(nf_attr_value(attr))
                n_known += 1
            elif nf_attr_read(attr):
                n_read += 1
            attr = nf_attr_next(attr)
        if n_read == 0:
            if n_known == 0:
                node = _next_pre(node, root)
                continue
            key = (cls, ident)
            known = cache.get(key)
            if known is None:
                known = lookup(cls, ident)
            times = 1
        else:
            known, times = attr_bits(LexborNode.new(node, parser), cls, ident)
        if times == 0:
            node = _next_pre(node, root)
            continue
        flags = known[0]
        content = known[1]
        if flags or content:
            classes[<size_t> node] = known
            if (content or flags & protect_bit) and len(keep) < max_keep:
                p = node.parent
                while p != NULL and (<size_t> p) not in keep:
                    keep.add(<size_t> p)
                    p = p.parent
            if flags & ~boiler_bit:
                note_roles(LexborNode.new(node, parser), flags)
        node = _next_pre(node, root)


cdef struct Frame:
    lxb_dom_node_t *next
    int box
    bint boundary
    bint is_link


def walk(
    LexborNode body,
    object page,
    dict classes,
    set keep,
    dict kinds,
    frozenset para_tags,
    object box_cls,
    object less_visible,
    double half_total,
    object deadline,
    int k_drop,
    int k_guarded,
    int k_inline,
    int k_start,
    int k_break,
    int f_boiler,
    int f_hidden,
):
    """The element loop of ``walk``, filling ``page``'s lists (not the prefix sums)."""
    cdef LexborHTMLParser parser = body.parser
    cdef list texts = page.texts
    cdef list btags = page.tags
    cdef list links = page.links
    cdef list owner = page.owner
    cdef list boxes = page.boxes
    cdef list parts = []
    cdef list block_stack = []
    cdef dict local_tags = {}
    cdef long link_chars = 0
    cdef int link_depth = 0
    cdef bint after_close = False
    cdef str cur_tag = "p"
    cdef int cur_box = 0
    cdef long count = 0
    cdef Frame *frames = NULL
    cdef Frame *fr
    cdef Frame *grown
    cdef int depth = 0
    cdef int cap = 0
    cdef lxb_dom_node_t *child
    cdef nf_str *s
    cdef int kind, flags, content, box
    cdef bint inline, boundary, is_link, descended
    cdef str data, tag, text, parent_tag
    no_class = (0, 0)
    boxes.append(box_cls(body, "body", -1, 0, 0))

    try:
        cap = 64
        frames = <Frame *> realloc(NULL, cap * sizeof(Frame))
        if frames == NULL:
            raise MemoryError()
        frames[0].next = body.node.first_child
        frames[0].box = 0
        frames[0].boundary = True
        frames[0].is_link = False
        depth = 1
        while depth:
            fr = &frames[depth - 1]
            descended = False
            child = fr.next
            while child != NULL:
                fr.next = child.next
                if child.type == NF_TEXT_TYPE:
                    s = nf_text_data(child)
                    if s.data != NULL and nf_blank(s.data, s.length):
                        child = fr.next
                        continue  # skip_empty
                if child.local_name == NF_TAG_TEXT:
                    if child.type == NF_TEXT_TYPE:
                        data = _decode(nf_text_data(child))
                        if data:
                            parts.append(data)
                            after_close = False
                            if link_depth:
                                link_chars += len(data.strip())
                    child = fr.next
                    continue
                if child.type != NF_ELEMENT_TYPE:
                    child = fr.next
                    continue  # comments, doctype
                tag = _tag_name(child, parser, local_tags)
                if not tag or tag[0] == "-":
                    child = fr.next
                    continue
                count += 1
                if count & 255 == 0:
                    deadline.check()
                kind = kinds.get(tag, 0)
                if kind & k_drop:
                    child = fr.next
                    continue
                known = classes.get(<size_t> child, no_class)
                flags = known[0]
                content = known[1]
                if flags & f_hidden:
                    child = fr.next
                    continue
                inline = kind & k_inline
                if inline:
                    content = 0
                if (
                    (flags & f_boiler or kind & k_guarded)
                    and not content
                    and (<size_t> child) not in keep
                    and (
                        inline
                        or less_visible(LexborNode.new(child, parser).text_lexbor(), half_total)
                    )
                ):
                    child = fr.next
                    continue
                if inline:
                    if after_close:
                        parts.append(" ")
                    box = -1
                    boundary = False
                else:
                    if parts:
                        text = " ".join("".join(parts).split())
                        parts.clear()
                        if text:
                            texts.append(text)
                            btags.append(cur_tag)
                            links.append(min(link_chars, len(text)))
                            owner.append(cur_box)
                    link_chars = 0
                    after_close = False
                    if kind & k_start:
                        cur_tag = tag
                    block_stack.append(tag)
                    boundary = True
                    if kind & k_break:
                        box = -1
                    else:
                        box = len(boxes)
                        boxes.append(
                            box_cls(LexborNode.new(child, parser), tag, cur_box, len(texts), content)
                        )
                        cur_box = box
                is_link = tag == "a"
                if is_link:
                    link_depth += 1
                if depth == cap:
                    grown = <Frame *> realloc(frames, 2 * cap * sizeof(Frame))
                    if grown == NULL:
                        raise MemoryError()
                    frames = grown
                    cap *= 2
                fr = &frames[depth]
                fr.next = child.first_child
                fr.box = box
                fr.boundary = boundary
                fr.is_link = is_link
                depth += 1
                descended = True
                break
            if descended:
                continue
            depth -= 1
            fr = &frames[depth]
            if fr.is_link:
                link_depth -= 1
            if fr.boundary:
                if parts:
                    text = " ".join("".join(parts).split())
                    parts.clear()
                    if text:
                        texts.append(text)
                        btags.append(cur_tag)
                        links.append(min(link_chars, len(text)))
                        owner.append(cur_box)
                link_chars = 0
                after_close = False
                if block_stack:
                    block_stack.pop()
                parent_tag = block_stack[-1] if block_stack else "div"
                cur_tag = parent_tag if parent_tag in para_tags else "p"
            else:
                after_close = True
            if fr.box >= 0:
                b = boxes[fr.box]
                b.end = len(texts)
                b.last = len(boxes) - 1
                cur_box = b.parent
        if parts:
            text = " ".join("".join(parts).split())
            parts.clear()
            if text:
                texts.append(text)
                btags.append(cur_tag)
                links.append(min(link_chars, len(text)))
                owner.append(cur_box)
    finally:
        free(frames)


cdef extern from *:
    """
    #define NF_TAG_META LXB_TAG_META
    #define NF_TAG_TITLE LXB_TAG_TITLE
    #define NF_TAG_BASE LXB_TAG_BASE
    #define NF_TAG_LINK LXB_TAG_LINK
    #define NF_TAG_SCRIPT LXB_TAG_SCRIPT
    #define NF_TAG_H1 LXB_TAG_H1
    #define NF_TAG_HEAD LXB_TAG_HEAD
    #define NF_TAG_HTML LXB_TAG_HTML
    #define NF_ATTR_CONTENT LXB_DOM_ATTR_CONTENT
    #define NF_ATTR_HREF LXB_DOM_ATTR_HREF
    #define NF_ATTR_REL LXB_DOM_ATTR_REL
    #define NF_ATTR_TYPE LXB_DOM_ATTR_TYPE
    #define NF_ATTR_LAST LXB_DOM_ATTR__LAST_ENTRY
    /* The four attributes whose values key a <meta>'s content, in read order
       (0..3), or -1. Lexbor has a static id for http-equiv only. */
    static inline int nf_meta_key(uintptr_t id) {
        if (id < LXB_DOM_ATTR__LAST_ENTRY) return id == LXB_DOM_ATTR_HTTP_EQUIV ? 3 : -1;
        const lxb_dom_attr_data_t *d = (const lxb_dom_attr_data_t *) id;
        if (nf_name_is(d, "property", 8)) return 0;
        if (nf_name_is(d, "name", 4)) return 1;
        if (nf_name_is(d, "itemprop", 8)) return 2;
        if (nf_name_is(d, "http-equiv", 10)) return 3;
        return -1;
    }
    """
    uintptr_t NF_TAG_META
    uintptr_t NF_TAG_TITLE
    uintptr_t NF_TAG_BASE
    uintptr_t NF_TAG_LINK
    uintptr_t NF_TAG_SCRIPT
    uintptr_t NF_TAG_H1
    uintptr_t NF_TAG_HEAD
    uintptr_t NF_TAG_HTML
    uintptr_t NF_ATTR_CONTENT
    uintptr_t NF_ATTR_HREF
    uintptr_t NF_ATTR_REL
    uintptr_t NF_ATTR_TYPE
    int nf_meta_key(uintptr_t id) noexcept nogil


# Whether a static tag id is one of the strip tags: 0 not yet known, 1 no, 2 yes.
# Filled lazily per id; rebuilt when another set of names is passed.
cdef unsigned char _strip_known[512]
cdef object _strip_for = None


cdef bint _is_strip(lxb_dom_node_t *node, LexborHTMLParser parser, frozenset names, dict local):
    global _strip_for
    cdef uintptr_t key = node.local_name
    cdef unsigned char known
    if key >= NF_TAG_LAST or key >= 512:
        name = local.get(key)
        if name is None:
            name = (LexborNode.new(node, parser).tag or "").lower()
            local[key] = name
        return name in names
    if _strip_for is not names:
        for i in range(512):
            _strip_known[i] = 0
        _strip_for = names
    known = _strip_known[key]
    if known == 0:
        known = 2 if (LexborNode.new(node, parser).tag or "").lower() in names else 1
        _strip_known[key] = known
    return known == 2


def read_meta(
    LexborNode root,
    dict meta,
    bint strip,
    frozenset strip_tags,
    object deadline,
):
    """The element loop of ``read_meta``, over every element in document order (the
    order, and the elements, its CSS query returns; each element once). Fills
    ``meta``; returns the JSON-LD scripts' texts, the first canonical href, the
    ``<base>`` hrefs, the ``<title>`` node (one under head/html first), up to ten
    ``<h1>`` nodes and, with ``strip``, the nodes to unlink."""
    cdef LexborHTMLParser parser = root.parser
    cdef lxb_dom_node_t *top = root.node
    cdef lxb_dom_node_t *node = top
    cdef lxb_dom_node_t *parent
    cdef lxb_dom_node_t *title_any = NULL
    cdef lxb_dom_node_t *title_head = NULL
    cdef nf_attr *attr
    cdef uintptr_t tag, name
    cdef int slot
    cdef long count = 0
    cdef list ld_texts = []
    cdef list bases = []
    cdef list h1_nodes = []
    cdef list doomed = []
    cdef dict local = {}
    cdef list keys
    cdef bint has_href
    canonical = None
    while node != NULL:
        if node.type != NF_ELEMENT_TYPE:
            node = _next_pre(node, top)
            continue
        count += 1
        if count & 255 == 0:
            deadline.check()
        tag = node.local_name
        if tag == NF_TAG_META:
            content = None
            keys = [None, None, None, None]
            attr = nf_first_attr(node)
            while attr != NULL:
                name = nf_attr_name(attr)
                if name == NF_ATTR_CONTENT:
                    content = _decode(nf_attr_value(attr))
                else:
                    slot = nf_meta_key(name)
                    if slot >= 0:
                        keys[slot] = _decode(nf_attr_value(attr))
                attr = nf_attr_next(attr)
            if content is not None:
                for key in keys:
                    if key:
                        for k in key.lower().split():
                            values = meta.get(k)
                            if values is None:
                                meta[k] = [content]
                            else:
                                values.append(content)
        elif tag == NF_TAG_SCRIPT:
            if strip:
                doomed.append(LexborNode.new(node, parser))
            kind = None
            attr = nf_first_attr(node)
            while attr != NULL:
                if nf_attr_name(attr) == NF_ATTR_TYPE:
                    kind = _decode(nf_attr_value(attr))
                attr = nf_attr_next(attr)
            if kind and kind.lower().strip() == "application/ld+json":
                deadline.check()
                ld_texts.append(LexborNode.new(node, parser).text_lexbor())
        elif tag == NF_TAG_H1:
            if len(h1_nodes) < 10:
                h1_nodes.append(LexborNode.new(node, parser))
        elif tag == NF_TAG_TITLE:
            if title_any == NULL:
                title_any = node
            if title_head == NULL:
                parent = node.parent
                if (
                    parent != NULL
                    and parent.type == NF_ELEMENT_TYPE
                    and (parent.local_name == NF_TAG_HEAD or parent.local_name == NF_TAG_HTML)
                ):
                    title_head = node
        elif tag == NF_TAG_LINK:
            if canonical is None:
                rel = None
                href = None
                attr = nf_first_attr(node)
                while attr != NULL:
                    name = nf_attr_name(attr)
                    if name == NF_ATTR_REL:
                        rel = _decode(nf_attr_value(attr))
                    elif name == NF_ATTR_HREF:
                        href = _decode(nf_attr_value(attr))
                    attr = nf_attr_next(attr)
                if rel and "canonical" in rel.lower().split():
                    canonical = (href or "").strip() or None
        elif tag == NF_TAG_BASE:
            has_href = False
            href = None
            attr = nf_first_attr(node)
            while attr != NULL:
                if nf_attr_name(attr) == NF_ATTR_HREF:
                    has_href = True
                    href = _decode(nf_attr_value(attr))
                attr = nf_attr_next(attr)
            if has_href:
                bases.append((href or "").strip())
        elif strip and _is_strip(node, parser, strip_tags, local):
            doomed.append(LexborNode.new(node, parser))
        node = _next_pre(node, top)
    if title_head != NULL:
        title = LexborNode.new(title_head, parser)
    elif title_any != NULL:
        title = LexborNode.new(title_any, parser)
    else:
        title = None
    return ld_texts, canonical, bases, title, h1_nodes, doomed
