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
