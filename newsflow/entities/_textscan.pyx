# cython: language_level=3, boundscheck=False, wraparound=False, initializedcheck=False
"""The entity layers' character loops in C (optional): the folded matching text with its
offsets, the gazetteer's matching form, the tagger's tokens, and the word counts and
word search of categories and keywords.

Why compiled: each runs once per character of every article (5,000 on average on the
corpus pages, 200,000 at most), and in Python each was a table lookup, a match object
or a list entry per character or word: together about a third of the enrich stage.
Each function gives exactly what its Python counterpart gives (`forms.match_form`'s
`match_rewrite_python`, `tokens.tokenize_python`, `enrich.count_words_python`,
`enrich.find_words_python`, `normalize_with_offsets`; tests/unit/test_textscan.py
compares them), so an install without a compiler only runs slower.
"""

from cpython.unicode cimport (
    Py_UNICODE_ISALNUM,
    Py_UNICODE_ISSPACE,
    PyUnicode_4BYTE_KIND,
    PyUnicode_FromKindAndData,
)
from cpython.dict cimport PyDict_GetItem
from cpython.object cimport PyObject
from libc.stdint cimport uint8_t
from libc.stdlib cimport free, malloc


cdef extern from *:
    """
    /* An instance of the tuple subclass `type` holding (start, end, text), built as
       CPython builds one in tuple_subtype_new, without the argument tuple and the
       temporary copy that calling tuple.__new__ makes. */
    static PyObject *__nf_span3(PyTypeObject *type, PyObject *start, PyObject *end,
                                PyObject *text) {
        PyObject *t = type->tp_alloc(type, 3);
        if (t == NULL)
            return NULL;
        Py_INCREF(start);
        Py_INCREF(end);
        Py_INCREF(text);
        PyTuple_SET_ITEM(t, 0, start);
        PyTuple_SET_ITEM(t, 1, end);
        PyTuple_SET_ITEM(t, 2, text);
        return t;
    }
    """
    object __nf_span3(type token, object start, object end, object text)

from newsflow.core.normalize import normalize_for_matching

# What each code point of the Basic Multilingual Plane folds to, learnt on first sight
# from `normalize_for_matching` (the one definition of the folding): _UNSEEN, one
# character (in _ONE), none, or several (in _SEVERAL, as are all other planes).
cdef enum:
    _BMP = 0x10000
cdef enum:
    _UNSEEN = 0
    _SINGLE = 1
    _NONE = 2
    _MANY = 3
cdef uint8_t _KIND[_BMP]
cdef Py_UCS4 _ONE[_BMP]
cdef dict _SEVERAL = {}

# _IDENTITY[i] is i: the int objects every offsets list and token shares, since
# allocating thousands of new ints per field cost more than the folding itself.
cdef list _IDENTITY = []
cdef enum:
    _IDENTITY_CAP = 1 << 17  # longer texts make the rest of their ints afresh


cdef list _identity(Py_ssize_t n):
    """``list(range(n))``."""
    cdef Py_ssize_t have = len(_IDENTITY)
    if n > have:
        if n > _IDENTITY_CAP:
            return list(range(n))
        _IDENTITY.extend(range(have, min(max(n, 2 * have, 4096), _IDENTITY_CAP)))
    return _IDENTITY[:n]


cdef inline object _int(Py_ssize_t i):
    if i < len(_IDENTITY):
        return _IDENTITY[i]
    return i


cdef uint8_t _learn(Py_UCS4 cp) except 255:
    """The fold of ``cp`` as `normalize_for_matching` gives it, kept for later calls."""
    cdef str folded = normalize_for_matching(chr(cp))
    cdef uint8_t kind
    if len(folded) == 1:
        kind = _SINGLE
    elif len(folded) == 0:
        kind = _NONE
    else:
        kind = _MANY
    if cp < _BMP:
        _KIND[cp] = kind
        if kind == _SINGLE:
            _ONE[cp] = folded[0]
    if kind == _MANY or cp >= _BMP:
        _SEVERAL[<long> cp] = folded
    return kind


cdef inline uint8_t _kind_of(Py_UCS4 cp) except 255:
    cdef uint8_t kind
    if cp < _BMP:
        kind = _KIND[cp]
        if kind != _UNSEEN:
            return kind
        return _learn(cp)
    folded = _SEVERAL.get(<long> cp)
    if folded is None:
        return _learn(cp)
    if len(folded) == 1:
        return _SINGLE
    return _NONE if len(folded) == 0 else _MANY


def fold_offsets(str text):
    """`normalize_with_offsets(text)`: the folded text, and for each of its characters
    the index of the character of ``text`` it came from, plus ``len(text)``."""
    cdef Py_ssize_t n = len(text), size = 0, i, k, at = 0
    cdef Py_UCS4 cp
    cdef uint8_t kind
    cdef bint odd = False
    cdef str folded
    for i in range(n):
        cp = text[i]
        kind = _kind_of(cp)
        if kind == _SINGLE:
            size += 1
        elif kind == _MANY:
            size += len(_SEVERAL[<long> cp])
            odd = True
        else:
            odd = True
    cdef Py_UCS4 *buf = <Py_UCS4 *> malloc((size + 1) * sizeof(Py_UCS4))
    if buf == NULL:
        raise MemoryError()
    cdef list offsets
    try:
        if odd:
            offsets = []
        for i in range(n):
            cp = text[i]
            if cp < _BMP:
                kind = _KIND[cp]
                if kind == _SINGLE:
                    buf[at] = _ONE[cp]
                    at += 1
                    if odd:
                        offsets.append(_int(i))
                    continue
                if kind == _NONE:
                    continue
            folded = _SEVERAL[<long> cp]
            for k in range(len(folded)):
                buf[at] = folded[k]
                at += 1
                if odd:
                    offsets.append(_int(i))
        if odd:
            offsets.append(_int(n))
        else:
            offsets = _identity(n + 1)
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, at), offsets
    finally:
        free(buf)


cdef inline bint _collapses(Py_UCS4 c):
    """``[\\t\\n\\r\\f\\v]``: whitespace that becomes one space even alone."""
    return c == u'\t' or c == u'\n' or c == u'\r' or c == u'\x0c' or c == u'\x0b'


cdef inline bint _cyrillic(Py_UCS4 c):
    """``[а-яё]``."""
    return (0x0430 <= c <= 0x044F) or c == 0x0451


def match_rewrite(str norm, list offsets, dict extra, object stem):
    """The rest of `forms.match_form` after folding: each character of ``extra`` (one
    character for one) replaced, then what ``\\s{2,}|[\\t\\n\\r\\f\\v]|[а-яё]+`` matches
    rewritten: a whitespace run of two or more, or one of those five, to one space; a
    Cyrillic word to ``stem(word)`` (a prefix of it); with the offsets carried along."""
    cdef Py_ssize_t n = len(norm), i, j, k, at = 0, m = len(extra)
    cdef Py_UCS4 c
    cdef Py_UCS4 *src = <Py_UCS4 *> malloc((n + 1) * sizeof(Py_UCS4))
    cdef Py_UCS4 *buf = <Py_UCS4 *> malloc((n + 1) * sizeof(Py_UCS4))
    cdef Py_UCS4 *old = <Py_UCS4 *> malloc((m + 1) * sizeof(Py_UCS4))
    cdef Py_UCS4 *new = <Py_UCS4 *> malloc((m + 1) * sizeof(Py_UCS4))
    cdef Py_UCS4 lowest = 0x110000
    cdef list out = []
    cdef str word, cut
    if src == NULL or buf == NULL or old == NULL or new == NULL:
        free(src)
        free(buf)
        free(old)
        free(new)
        raise MemoryError()
    try:
        k = 0
        for key, value in extra.items():
            old[k] = <str> key
            new[k] = <str> value
            if old[k] < lowest:
                lowest = old[k]
            k += 1
        for i in range(n):
            c = norm[i]
            if c >= lowest:
                for k in range(m):
                    if c == old[k]:
                        c = new[k]
                        break
            src[i] = c
        i = 0
        while i < n:
            c = src[i]
            if Py_UNICODE_ISSPACE(c):
                j = i + 1
                while j < n and Py_UNICODE_ISSPACE(src[j]):
                    j += 1
                if j - i >= 2 or _collapses(c):
                    buf[at] = u' '
                else:
                    buf[at] = c
                at += 1
                out.append(offsets[i])
                i = i + 1 if j - i < 2 else j
                continue
            if _cyrillic(c):
                j = i + 1
                while j < n and _cyrillic(src[j]):
                    j += 1
                word = PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, src + i, j - i)
                cut = stem(word)
                for k in range(len(cut)):
                    buf[at] = cut[k]
                    at += 1
                    out.append(offsets[i + k])
                i = j
                continue
            buf[at] = c
            at += 1
            out.append(offsets[i])
            i += 1
        out.append(offsets[n])
        return PyUnicode_FromKindAndData(PyUnicode_4BYTE_KIND, buf, at), out
    finally:
        free(src)
        free(buf)
        free(old)
        free(new)


cdef inline bint _in_word(Py_UCS4 c):
    """``[\\w\\u064b-\\u065f\\u0670\\u06d6-\\u06ed\\u200c\\u200d]`` (re's ``\\w`` is
    `Py_UNICODE_ISALNUM` or the underscore)."""
    return (
        Py_UNICODE_ISALNUM(c)
        or c == u'_'
        or (0x064B <= c <= 0x065F)
        or c == 0x0670
        or (0x06D6 <= c <= 0x06ED)
        or c == 0x200C
        or c == 0x200D
    )


def tokenize(str text, type token):
    """`tokens.tokenize`: ``token(start, end, text)`` for each word (a run of word
    characters) and each other character that is not whitespace. ``token`` must be a
    subclass of tuple without fields of its own (a NamedTuple of three)."""
    if not issubclass(token, tuple) or token.__basicsize__ != tuple.__basicsize__:
        raise TypeError(f"{token!r} is not a plain tuple subclass")
    cdef Py_ssize_t n = len(text), i = 0, j
    cdef Py_UCS4 c
    cdef list out = []
    _identity(n + 1)  # the offsets' ints, made once
    while i < n:
        c = text[i]
        if _in_word(c):
            j = i + 1
            while j < n and _in_word(text[j]):
                j += 1
            out.append(__nf_span3(token, _int(i), _int(j), text[i:j]))
            i = j
        else:
            if not Py_UNICODE_ISSPACE(c):
                out.append(__nf_span3(token, _int(i), _int(i + 1), text[i : i + 1]))
            i += 1
    return out


cdef inline bint _is_w(Py_UCS4 c):
    """re's ``\\w``."""
    return Py_UNICODE_ISALNUM(c) or c == u'_'


def count_words(str text):
    """``dict(Counter(re.findall(r"\\w+", text)))``: how often each word occurs, in order
    of first occurrence, without the list of every word."""
    cdef Py_ssize_t n = len(text), i = 0, j
    cdef dict out = {}
    cdef str word
    cdef PyObject *seen
    while i < n:
        if not _is_w(text[i]):
            i += 1
            continue
        j = i + 1
        while j < n and _is_w(text[j]):
            j += 1
        word = text[i:j]
        seen = PyDict_GetItem(out, word)
        if seen == NULL:
            out[word] = 1
        else:
            out[word] = <object> seen + 1
        i = j
    return out


def find_words(str text, words):
    """``(start, end, word)`` for each run of word characters (re's ``\\w+``) of
    ``text`` that is one of ``words`` (a collection of such runs), in text order: where
    ``(?<!\\w)(?:words)(?!\\w)`` matches. Runs whose length or first character no word
    has are passed over without being copied."""
    cdef Py_ssize_t n = len(text), i = 0, j, size
    cdef unsigned long long lengths = 0, firsts = 0
    cdef list out = []
    cdef str word
    cdef Py_UCS4 first
    for word in words:
        size = len(word)
        if size == 0:
            continue
        first = word[0]
        lengths |= (1ULL << size) if size < 64 else (1ULL << 63)
        firsts |= 1ULL << ((<long> first) & 63)
    while i < n:
        if not _is_w(text[i]):
            i += 1
            continue
        j = i + 1
        while j < n and _is_w(text[j]):
            j += 1
        size = j - i
        first = text[i]
        if (lengths >> (size if size < 64 else 63)) & (firsts >> ((<long> first) & 63)) & 1:
            word = text[i:j]
            if word in words:
                out.append((i, j, word))
        i = j
    return out
