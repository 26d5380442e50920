//! The names yin knows without a definition: special forms and the core library.
//!
//! This table is the single source of truth for the core library's names, arities and one-line
//! docs: scope resolution treats them as known globals, the arity lint reads them, hover and
//! completion show them, and the machine checks that it implements exactly these. It knows nothing
//! about how a function is implemented.

/// A core library function: its name, how many arguments it accepts, and a one-line doc.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CoreFn {
    pub name: &'static str,
    pub min_arity: usize,
    /// `None` when the function is variadic.
    pub max_arity: Option<usize>,
    pub doc: &'static str,
}

impl CoreFn {
    /// Whether a call with `n` arguments has an acceptable count.
    pub fn accepts(&self, n: usize) -> bool {
        n >= self.min_arity && self.max_arity.is_none_or(|max| n <= max)
    }
}

/// The namespaces `ns` and `require` accept: those yin always binds (`str/` and `set/` name the
/// last two). Anything else would be the host's code (`clojure.java.shell`, a file to load), which
/// evaluated code has no authority to reach.
pub const NAMESPACES: &[&str] = &["clojure.core", "clojure.string", "clojure.set"];

/// What a program that asks for another namespace is told (`ns` in lowering, `require` in the
/// machine).
pub fn missing_namespace(name: &str) -> String {
    format!(
        "no namespace `{}` in yin: there is no host interop and no loading of files; \
         clojure.string and clojure.set are always available (as str/ and set/)",
        name.chars().take(100).collect::<String>()
    )
}

/// Heads that lowering recognises as special forms when the symbol is not locally bound.
/// `call/cc` is not among them: it is an ordinary core function.
pub const SPECIAL_FORMS: &[&str] = &[
    "def",
    "defn",
    "defmacro",
    "fn",
    "let",
    "if",
    "do",
    "quote",
    "and",
    "or",
    "when",
    "when-not",
    "cond",
    "loop",
    "recur",
    "->",
    "->>",
    "comment",
    "ns",
    "declare",
    "if-not",
    "if-let",
    "when-let",
    "if-some",
    "when-some",
    "case",
    "condp",
    "letfn",
    "while",
    "doseq",
    "dotimes",
    "for",
    "as->",
    "some->",
    "some->>",
    "cond->",
    "cond->>",
    "doto",
    "try",
    "defn-",
    "defrecord",
    "assert",
    "defmulti",
    "defmethod",
    "defonce",
];

/// Whether `name` is a special form's head.
pub fn is_special_form(name: &str) -> bool {
    SPECIAL_FORMS.contains(&name)
}

/// The usage line and one-line doc of each special form, for hover and completion.
const SPECIAL_FORM_DOCS: &[(&str, &str)] = &[
    (
        "def",
        "(def name doc? value): defines a global; returns the value.",
    ),
    (
        "defn",
        "(defn name doc? [params] body...): defines a global function.",
    ),
    (
        "defmacro",
        "(defmacro name doc? [params] body...): defines a macro; it receives forms and returns the form to evaluate.",
    ),
    (
        "fn",
        "(fn name? [params] body...) or (fn name? ([params] body...)+): a function; parameters may be destructuring patterns.",
    ),
    (
        "let",
        "(let [name value ...] body...): sequential local bindings; names may be destructuring patterns.",
    ),
    (
        "if",
        "(if test then else?): then when test is neither nil nor false, else otherwise.",
    ),
    (
        "do",
        "(do body...): evaluates in order; the value of the last.",
    ),
    (
        "quote",
        "(quote form) or 'form: the form as data, unevaluated.",
    ),
    (
        "and",
        "(and x...): the first falsy value, or the last; (and) is true.",
    ),
    (
        "or",
        "(or x...): the first truthy value, or the last; (or) is nil.",
    ),
    (
        "when",
        "(when test body...): the body when test is truthy, else nil.",
    ),
    (
        "when-not",
        "(when-not test body...): the body when test is falsy, else nil.",
    ),
    (
        "cond",
        "(cond test expr ...): the expr of the first truthy test, else nil.",
    ),
    (
        "loop",
        "(loop [name value ...] body...): like let, and the target of recur.",
    ),
    (
        "recur",
        "(recur args...): jumps back to the innermost loop or fn with new values.",
    ),
    (
        "->",
        "(-> x (f a) g): threads x as the first argument of each step.",
    ),
    (
        "->>",
        "(->> x (f a) g): threads x as the last argument of each step.",
    ),
    (
        "comment",
        "(comment body...): ignores its body; evaluates to nil.",
    ),
    (
        "ns",
        "(ns name clauses...): accepted and ignored (yin has no namespaces; clojure.string and clojure.set are always available); evaluates to nil.",
    ),
    (
        "declare",
        "(declare names...): accepted and ignored (globals are resolved when used, so nothing needs declaring); evaluates to nil.",
    ),
    (
        "if-not",
        "(if-not test then else?): then when test is falsy, else otherwise.",
    ),
    (
        "if-let",
        "(if-let [name value] then else?): then with name bound when value is truthy, else otherwise.",
    ),
    (
        "when-let",
        "(when-let [name value] body...): the body with name bound when value is truthy, else nil.",
    ),
    (
        "if-some",
        "(if-some [name value] then else?): then with name bound when value is not nil, else otherwise.",
    ),
    (
        "when-some",
        "(when-some [name value] body...): the body with name bound when value is not nil, else nil.",
    ),
    (
        "case",
        "(case e const result ... default?): the result of the constant (unevaluated; a list groups several) equal to e; an error when none matches and there is no default.",
    ),
    (
        "condp",
        "(condp pred e test result ... default?): the result of the first test where (pred test e) is truthy (a clause test :>> f gives (f (pred test e))); an error when none is and there is no default.",
    ),
    (
        "letfn",
        "(letfn [(f [params] body...) ...] body...): local functions that may call each other.",
    ),
    (
        "while",
        "(while test body...): repeats the body while test is truthy; nil.",
    ),
    (
        "doseq",
        "(doseq [x coll ...] body...): runs the body for each element (bindings nest; :let, :when, :while); nil.",
    ),
    (
        "dotimes",
        "(dotimes [i n] body...): runs the body with i from 0 to n-1; nil.",
    ),
    (
        "for",
        "(for [x coll ...] expr): a vector of expr for each element (bindings nest; :let, :when, :while); eager.",
    ),
    (
        "as->",
        "(as-> x name steps...): binds name to x, then to each step's value in turn.",
    ),
    (
        "some->",
        "(some-> x steps...): threads like -> and stops at the first nil.",
    ),
    (
        "some->>",
        "(some->> x steps...): threads like ->> and stops at the first nil.",
    ),
    (
        "cond->",
        "(cond-> x test step ...): threads like -> through the steps whose test is truthy.",
    ),
    (
        "cond->>",
        "(cond->> x test step ...): threads like ->> through the steps whose test is truthy.",
    ),
    (
        "doto",
        "(doto x (f a) ...): calls each step with x first; returns x.",
    ),
    (
        "defn-",
        "(defn- name doc? [params] body...): as defn (yin has no namespaces, so nothing is private).",
    ),
    (
        "defonce",
        "(defonce name value): as def (a program's forms run once, so there is nothing to keep).",
    ),
    (
        "defmulti",
        "(defmulti name doc? dispatch-fn): a function calling the method defmethod gave for (dispatch-fn args...), else the :default one.",
    ),
    (
        "defmethod",
        "(defmethod name dispatch-value [params] body...): adds the method for dispatch-value to the multimethod name.",
    ),
    (
        "assert",
        "(assert test message?): throws `Assert failed: ...` (caught as AssertionError) when test is falsy; nil otherwise.",
    ),
    (
        "defrecord",
        "(defrecord Name [fields]): defines ->Name, taking the fields in order, and map->Name; a record is a plain map of its fields.",
    ),
    (
        "try",
        "(try body... (catch Exception e handler...) (finally cleanup...)): evaluates body; a \
         throw or a runtime error in it runs the first catch that matches with the exception \
         bound to e (Exception or :default catches all, a keyword the errors of that :yin/error \
         kind, anything else is a predicate on the exception); cleanup runs however the body \
         ends. Machine limits (fuel, time, memory, depth) are not caught.",
    ),
];

/// The doc of the special form `name`, if it is one.
pub fn special_form_doc(name: &str) -> Option<&'static str> {
    SPECIAL_FORM_DOCS
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, doc)| *doc)
}

const fn f(
    name: &'static str,
    min_arity: usize,
    max_arity: Option<usize>,
    doc: &'static str,
) -> CoreFn {
    CoreFn {
        name,
        min_arity,
        max_arity,
        doc,
    }
}

const ANY: Option<usize> = None;

/// The core library (docs/language.md), plus continuations and streams.
pub const CORE: &[CoreFn] = &[
    f("+", 0, ANY, "Sum of the numbers; (+) is 0."),
    f(
        "-",
        1,
        ANY,
        "Subtracts the rest from the first; (- x) negates.",
    ),
    f("*", 0, ANY, "Product of the numbers; (*) is 1."),
    f(
        "/",
        1,
        ANY,
        "Divides the first by the rest; integers give a ratio when inexact; (/ x) is 1/x.",
    ),
    f("=", 1, ANY, "True when all arguments are equal."),
    f("==", 1, ANY, "True when all numbers are numerically equal."),
    f("!=", 1, ANY, "True when the arguments are not all equal."),
    f("not=", 1, ANY, "True when the arguments are not all equal."),
    f(
        "<",
        1,
        ANY,
        "True when the numbers are strictly increasing.",
    ),
    f(
        ">",
        1,
        ANY,
        "True when the numbers are strictly decreasing.",
    ),
    f("<=", 1, ANY, "True when the numbers are non-decreasing."),
    f(">=", 1, ANY, "True when the numbers are non-increasing."),
    f("not", 1, Some(1), "True when x is nil or false."),
    f("inc", 1, Some(1), "x plus one."),
    f("dec", 1, Some(1), "x minus one."),
    f("quot", 2, Some(2), "Integer quotient, rounded toward zero."),
    f(
        "rem",
        2,
        Some(2),
        "Remainder of quot; takes the sign of the dividend.",
    ),
    f("mod", 2, Some(2), "Modulus; takes the sign of the divisor."),
    f("min", 1, ANY, "The smallest number."),
    f("max", 1, ANY, "The largest number."),
    f("abs", 1, Some(1), "Absolute value."),
    f("nil?", 1, Some(1), "True when x is nil."),
    f("some?", 1, Some(1), "True when x is not nil."),
    f("zero?", 1, Some(1), "True when the number is zero."),
    f("pos?", 1, Some(1), "True when the number is positive."),
    f("neg?", 1, Some(1), "True when the number is negative."),
    f("even?", 1, Some(1), "True when the integer is even."),
    f("odd?", 1, Some(1), "True when the integer is odd."),
    f("number?", 1, Some(1), "True when x is a number."),
    f("string?", 1, Some(1), "True when x is a string."),
    f("keyword?", 1, Some(1), "True when x is a keyword."),
    f("symbol?", 1, Some(1), "True when x is a symbol."),
    f("fn?", 1, Some(1), "True when x is a function."),
    f("vector?", 1, Some(1), "True when x is a vector."),
    f("map?", 1, Some(1), "True when x is a map."),
    f("set?", 1, Some(1), "True when x is a set."),
    f(
        "empty?",
        1,
        Some(1),
        "True when the collection has no elements.",
    ),
    f(
        "str",
        0,
        ANY,
        "Concatenates the printed forms of the arguments; nil prints as nothing.",
    ),
    f(
        "name",
        1,
        Some(1),
        "The name part of a keyword, symbol or string.",
    ),
    f(
        "keyword",
        1,
        Some(2),
        "Makes a keyword from a name, or a namespace and a name.",
    ),
    f(
        "symbol",
        1,
        Some(2),
        "Makes a symbol from a name, or a namespace and a name.",
    ),
    f(
        "subs",
        2,
        Some(3),
        "Substring from start (inclusive) to end (exclusive).",
    ),
    f("count", 1, Some(1), "Number of elements; nil has 0."),
    f("first", 1, Some(1), "The first element, or nil."),
    f(
        "rest",
        1,
        Some(1),
        "All but the first element, as a vector.",
    ),
    f(
        "next",
        1,
        Some(1),
        "All but the first element as a vector, or nil when none.",
    ),
    f("last", 1, Some(1), "The last element, or nil."),
    f(
        "nth",
        2,
        Some(3),
        "The element at an index; the optional third argument is the default.",
    ),
    f(
        "cons",
        2,
        Some(2),
        "A list of x followed by the elements of coll.",
    ),
    f(
        "conj",
        1,
        ANY,
        "Adds elements where the collection adds fastest.",
    ),
    f(
        "concat",
        0,
        ANY,
        "The elements of all collections, as a list (so a macro can build a call with it).",
    ),
    f(
        "seq",
        1,
        Some(1),
        "The elements as a sequence, or nil when empty.",
    ),
    f("vec", 1, Some(1), "The elements as a vector."),
    f("vector", 0, ANY, "A vector of the arguments."),
    f("list", 0, ANY, "A list of the arguments."),
    f("hash-map", 0, ANY, "A map of the key-value arguments."),
    f("hash-set", 0, ANY, "A set of the arguments."),
    f(
        "get",
        2,
        Some(3),
        "The value at a key, or the default (nil).",
    ),
    f(
        "get-in",
        2,
        Some(3),
        "The value at a path of keys, or the default (nil).",
    ),
    f(
        "assoc",
        3,
        ANY,
        "The map (or vector) with keys set to values.",
    ),
    f(
        "assoc-in",
        3,
        Some(3),
        "The nested map with the value at a path of keys.",
    ),
    f("dissoc", 1, ANY, "The map without the keys."),
    f(
        "update",
        3,
        ANY,
        "The map with f applied to the value at a key (and extra arguments).",
    ),
    f(
        "contains?",
        2,
        Some(2),
        "True when the collection has the key.",
    ),
    f("keys", 1, Some(1), "The keys of a map."),
    f("vals", 1, Some(1), "The values of a map."),
    f(
        "into",
        2,
        Some(3),
        "Adds every element of from to to; (into to xform from) passes them through a transducer first.",
    ),
    f(
        "range",
        0,
        Some(3),
        "Integers from start (0) below end by step (1), as a vector; (range) is infinite: take a prefix.",
    ),
    f(
        "reverse",
        1,
        Some(1),
        "The elements in reverse order, as a vector.",
    ),
    f(
        "sort",
        1,
        Some(2),
        "The elements in ascending order (or by a comparator), as a vector.",
    ),
    f(
        "map",
        1,
        ANY,
        "f applied to the elements (of several collections in step), as a vector; (map f) is a transducer.",
    ),
    f(
        "filter",
        1,
        Some(2),
        "The elements for which pred is truthy, as a vector; (filter pred) is a transducer.",
    ),
    f(
        "reduce",
        2,
        Some(3),
        "Folds f over the elements, from init or the first element.",
    ),
    f(
        "apply",
        2,
        ANY,
        "Calls f with the arguments, the last one spread.",
    ),
    f("identity", 1, Some(1), "Returns x."),
    f(
        "comp",
        0,
        ANY,
        "The composition of the functions, right to left.",
    ),
    f("partial", 1, ANY, "f with its first arguments fixed."),
    f(
        "print",
        0,
        ANY,
        "Writes the arguments, human-readable, through the output capability.",
    ),
    f("println", 0, ANY, "Like print, then a newline."),
    f(
        "prn",
        0,
        ANY,
        "Writes the arguments as data, then a newline.",
    ),
    f(
        "gensym",
        0,
        Some(1),
        "A fresh symbol, with an optional prefix.",
    ),
    f(
        "call/cc",
        1,
        Some(1),
        "Calls f with the current continuation.",
    ),
    f(
        "park",
        0,
        Some(0),
        "Suspends the program, yielding a parked continuation.",
    ),
    f(
        "resume",
        2,
        Some(2),
        "Continues a parked continuation with a value.",
    ),
    f(
        "stream/make",
        0,
        Some(1),
        "A new stream with an optional capacity.",
    ),
    f(
        "stream/put!",
        2,
        Some(2),
        "Puts a value on the stream and returns it; parks while full.",
    ),
    f(
        "stream/cursor",
        1,
        Some(1),
        "An independent, non-destructive cursor on the stream.",
    ),
    f(
        "stream/next!",
        1,
        Some(1),
        "The cursor's next value; parks while empty and open; nil after close.",
    ),
    f("stream/close!", 1, Some(1), "Closes the stream."),
    f(
        "re-pattern",
        1,
        Some(1),
        "A regex compiled from the string (linear-time engine: no backreferences or lookaround).",
    ),
    f(
        "re-find",
        2,
        Some(2),
        "The first match of the regex in s: the text, or [whole group1 ...] with groups; nil if none.",
    ),
    f(
        "re-matches",
        2,
        Some(2),
        "The match of the regex against all of s, shaped as re-find's; nil if it does not match.",
    ),
    f(
        "re-seq",
        2,
        Some(2),
        "Every match of the regex in s, shaped as re-find's; nil if none.",
    ),
    f(
        "atom",
        1,
        Some(1),
        "A new atom holding x: a mutable cell in the machine's store.",
    ),
    f(
        "deref",
        1,
        Some(1),
        "The current value of an atom; @a reads as (deref a).",
    ),
    f(
        "reset!",
        2,
        Some(2),
        "Sets the atom's value to x and returns x.",
    ),
    f(
        "swap!",
        2,
        ANY,
        "Sets the atom's value to (f current args...) and returns it.",
    ),
    f(
        "compare-and-set!",
        3,
        Some(3),
        "Sets the atom to new if its value equals old; true when it did.",
    ),
    f(
        "ex-info",
        2,
        Some(3),
        "An exception with a message, a data map and an optional cause.",
    ),
    f(
        "ex-data",
        1,
        Some(1),
        "The data map of an exception, or nil.",
    ),
    f(
        "ex-message",
        1,
        Some(1),
        "The message of an exception, or nil.",
    ),
    f(
        "throw",
        1,
        Some(1),
        "Raises an exception made by ex-info; the nearest enclosing try's catch receives it.",
    ),
    f(
        "try*",
        3,
        Some(3),
        "What (try body (catch Exception e handler) (finally cleanup)) lowers to: a body thunk, a one-argument handler (or nil) and a finally thunk (or nil).",
    ),
    f(
        "take",
        1,
        Some(2),
        "The first n elements; also the prefix of an infinite (iterate f x), (repeat x), (cycle c) or (repeatedly f); (take n) is a transducer.",
    ),
    f(
        "drop",
        1,
        Some(2),
        "All but the first n elements; (drop n) is a transducer.",
    ),
    f(
        "take-while",
        1,
        Some(2),
        "The leading elements for which (pred x) is truthy; also over an infinite producer; (take-while pred) is a transducer.",
    ),
    f(
        "drop-while",
        1,
        Some(2),
        "The elements from the first for which (pred x) is falsy; (drop-while pred) is a transducer.",
    ),
    f(
        "iterate",
        2,
        Some(2),
        "The infinite sequence x, (f x), (f (f x)) ...; take a prefix with take or take-while.",
    ),
    f(
        "repeat",
        1,
        Some(2),
        "(repeat n x) is n copies of x; (repeat x) is infinite: take a prefix.",
    ),
    f(
        "repeatedly",
        1,
        Some(2),
        "(repeatedly n f) calls f n times; (repeatedly f) is infinite: take a prefix.",
    ),
    f(
        "cycle",
        1,
        Some(1),
        "The elements repeated forever; take a prefix with take or take-while.",
    ),
    f("some", 2, Some(2), "The first truthy (pred x), or nil."),
    f(
        "every?",
        2,
        Some(2),
        "True when (pred x) is truthy for every element.",
    ),
    f(
        "not-any?",
        2,
        Some(2),
        "True when (pred x) is falsy for every element.",
    ),
    f(
        "remove",
        1,
        Some(2),
        "The elements for which (pred x) is falsy; (remove pred) is a transducer.",
    ),
    f(
        "keep",
        1,
        Some(2),
        "The non-nil values of (f x); (keep f) is a transducer.",
    ),
    f(
        "mapcat",
        1,
        None,
        "(mapcat f coll ...): the results of f on each element (on the elements of every collection in step, as long as the shortest) concatenated, as a list; (mapcat f) is a transducer.",
    ),
    f(
        "map-indexed",
        1,
        Some(2),
        "(f index x) for each element; (map-indexed f) is a transducer.",
    ),
    f(
        "partition",
        2,
        Some(4),
        "(partition n coll), (partition n step coll), (partition n step pad coll): groups of n; an incomplete last group is dropped unless padded.",
    ),
    f(
        "partition-by",
        1,
        Some(2),
        "Splits the elements into runs with the same (f x); (partition-by f) is a transducer.",
    ),
    f(
        "group-by",
        2,
        Some(2),
        "A map from each (f x) to the vector of elements giving it.",
    ),
    f(
        "frequencies",
        1,
        Some(1),
        "A map from each distinct element to how many times it occurs.",
    ),
    f(
        "distinct",
        0,
        Some(1),
        "The elements without repeats, first occurrences kept in order; (distinct) is a transducer.",
    ),
    f(
        "interleave",
        0,
        ANY,
        "The first element of each collection, then the second of each ..., up to the shortest.",
    ),
    f(
        "interpose",
        1,
        Some(2),
        "The elements with sep between each two; (interpose sep) is a transducer.",
    ),
    f(
        "sort-by",
        2,
        Some(3),
        "Sorted by (keyfn x), with an optional comparator; stable.",
    ),
    f(
        "zipmap",
        2,
        Some(2),
        "A map from the keys to the values, pairwise.",
    ),
    f(
        "merge",
        0,
        ANY,
        "The maps combined left to right; later keys win.",
    ),
    f(
        "merge-with",
        1,
        ANY,
        "The maps combined left to right; a key in both gets (f old new).",
    ),
    f(
        "select-keys",
        2,
        Some(2),
        "The map with only the given keys (those present).",
    ),
    f(
        "update-in",
        3,
        ANY,
        "(update-in m [k1 k2] f args...): the nested value replaced by (f old args...).",
    ),
    f(
        "juxt",
        1,
        ANY,
        "A function returning the vector of each function's result on its arguments.",
    ),
    f(
        "constantly",
        1,
        Some(1),
        "A function that takes any arguments and returns x.",
    ),
    f(
        "complement",
        1,
        Some(1),
        "A function returning the logical opposite of f.",
    ),
    f(
        "fnil",
        2,
        Some(4),
        "f with nil arguments (first, second, third) replaced by the defaults.",
    ),
    f(
        "max-key",
        2,
        ANY,
        "The x for which (k x) is greatest; the last one on ties.",
    ),
    f(
        "min-key",
        2,
        ANY,
        "The x for which (k x) is least; the last one on ties.",
    ),
    f("disj", 1, ANY, "The set without the given elements."),
    f(
        "clojure.set/union",
        0,
        ANY,
        "The set of elements in any of the sets.",
    ),
    f(
        "clojure.set/intersection",
        1,
        ANY,
        "The set of elements in all of the sets.",
    ),
    f(
        "clojure.set/difference",
        1,
        ANY,
        "The first set without the elements of the others.",
    ),
    f(
        "int",
        1,
        Some(1),
        "x as an integer: floats truncate, characters give their code point.",
    ),
    f("char", 1, Some(1), "The character with code point n."),
    f(
        "long",
        1,
        Some(1),
        "x as an integer: floats truncate, characters give their code point.",
    ),
    f("double", 1, Some(1), "x as a float."),
    f(
        "compare",
        2,
        Some(2),
        "Negative, zero or positive as x is less than, equal to or greater than y.",
    ),
    f(
        "hash",
        1,
        Some(1),
        "An integer hash of x, equal for equal values.",
    ),
    f(
        "format",
        1,
        ANY,
        "The format string with %s %d %f %.Nf %x %% replaced by the arguments.",
    ),
    f(
        "pr-str",
        0,
        ANY,
        "The arguments as data, as prn would write them, in a string.",
    ),
    f("prn-str", 0, ANY, "pr-str with a newline."),
    f(
        "print-str",
        0,
        ANY,
        "The arguments as print would write them, in a string.",
    ),
    f(
        "clojure.string/split",
        2,
        Some(3),
        "The parts of s between matches of the separator (a regex or a string), with an optional limit.",
    ),
    f(
        "clojure.string/join",
        1,
        Some(2),
        "The elements' str forms joined, with an optional separator first.",
    ),
    f("clojure.string/upper-case", 1, Some(1), "s in upper case."),
    f("clojure.string/lower-case", 1, Some(1), "s in lower case."),
    f(
        "clojure.string/trim",
        1,
        Some(1),
        "s without leading and trailing whitespace.",
    ),
    f(
        "clojure.string/includes?",
        2,
        Some(2),
        "True when s contains the substring.",
    ),
    f(
        "clojure.string/replace",
        3,
        Some(3),
        "s with every match of the pattern (a string, character or regex) replaced.",
    ),
    f(
        "clojure.string/starts-with?",
        2,
        Some(2),
        "True when s starts with the substring.",
    ),
    f(
        "clojure.string/ends-with?",
        2,
        Some(2),
        "True when s ends with the substring.",
    ),
    f(
        "clojure.string/blank?",
        1,
        Some(1),
        "True when s is nil, empty or only whitespace.",
    ),
    f("clojure.string/split-lines", 1, Some(1), "The lines of s."),
    f(
        "set/union",
        0,
        ANY,
        "The set of elements in any of the sets.",
    ),
    f(
        "set/intersection",
        1,
        ANY,
        "The set of elements in all of the sets.",
    ),
    f(
        "set/difference",
        1,
        ANY,
        "The first set without the elements of the others.",
    ),
    f(
        "str/split",
        2,
        Some(3),
        "The parts of s between matches of the separator (a regex or a string), with an optional limit.",
    ),
    f(
        "str/join",
        1,
        Some(2),
        "The elements' str forms joined, with an optional separator first.",
    ),
    f("str/upper-case", 1, Some(1), "s in upper case."),
    f("str/lower-case", 1, Some(1), "s in lower case."),
    f(
        "str/trim",
        1,
        Some(1),
        "s without leading and trailing whitespace.",
    ),
    f(
        "str/includes?",
        2,
        Some(2),
        "True when s contains the substring.",
    ),
    f(
        "str/replace",
        3,
        Some(3),
        "s with every match of the pattern (a string, character or regex) replaced.",
    ),
    f(
        "str/starts-with?",
        2,
        Some(2),
        "True when s starts with the substring.",
    ),
    f(
        "str/ends-with?",
        2,
        Some(2),
        "True when s ends with the substring.",
    ),
    f(
        "str/blank?",
        1,
        Some(1),
        "True when s is nil, empty or only whitespace.",
    ),
    f("str/split-lines", 1, Some(1), "The lines of s."),
    f("second", 1, Some(1), "The second element, or nil."),
    f("ffirst", 1, Some(1), "(first (first coll))."),
    f(
        "butlast",
        1,
        Some(1),
        "All but the last element, or nil when that leaves none.",
    ),
    f(
        "drop-last",
        1,
        Some(2),
        "(drop-last coll), (drop-last n coll): all but the last n (default 1) elements.",
    ),
    f(
        "take-last",
        2,
        Some(2),
        "The last n elements, or nil when there are none.",
    ),
    f("nthrest", 2, Some(2), "The elements after the first n."),
    f(
        "nthnext",
        2,
        Some(2),
        "The elements after the first n, or nil when there are none.",
    ),
    f("not-empty", 1, Some(1), "coll, or nil when it is empty."),
    f(
        "empty",
        1,
        Some(1),
        "An empty collection of the same kind, or nil.",
    ),
    f(
        "flatten",
        1,
        Some(1),
        "The non-sequential things inside nested lists and vectors, in order.",
    ),
    f(
        "subvec",
        2,
        Some(3),
        "(subvec v start end?): the elements of v from start up to end.",
    ),
    f(
        "dedupe",
        0,
        Some(1),
        "The elements without consecutive repeats; (dedupe) is a transducer.",
    ),
    f(
        "list*",
        1,
        ANY,
        "(list* a b ... coll): a list of the arguments followed by coll's elements.",
    ),
    f("split-at", 2, Some(2), "[(take n coll) (drop n coll)]."),
    f(
        "partition-all",
        1,
        Some(3),
        "(partition-all n coll), (partition-all n step coll): groups of n; the last may be shorter; (partition-all n) is a transducer.",
    ),
    f(
        "peek",
        1,
        Some(1),
        "The last element of a vector, the first of a list.",
    ),
    f(
        "pop",
        1,
        Some(1),
        "A vector without its last element, a list without its first.",
    ),
    f("key", 1, Some(1), "The key of a map entry."),
    f("val", 1, Some(1), "The value of a map entry."),
    f(
        "find",
        2,
        Some(2),
        "The [key value] entry of the map for key, or nil.",
    ),
    f(
        "rseq",
        1,
        Some(1),
        "The elements of a vector or a sorted map or set in reverse order, or nil when empty.",
    ),
    f("set", 1, Some(1), "A set of the collection's elements."),
    f(
        "doall",
        1,
        Some(2),
        "Returns coll (yin's sequences are already realised).",
    ),
    f(
        "dorun",
        1,
        Some(2),
        "nil (yin's sequences are already realised).",
    ),
    f(
        "seq?",
        1,
        Some(1),
        "True for a list (yin's sequences are lists and vectors).",
    ),
    f("list?", 1, Some(1), "True for a list."),
    f("coll?", 1, Some(1), "True for a list, vector, map or set."),
    f("sequential?", 1, Some(1), "True for a list or vector."),
    f("associative?", 1, Some(1), "True for a vector or map."),
    f("integer?", 1, Some(1), "True for an integer."),
    f("int?", 1, Some(1), "True for an integer."),
    f("pos-int?", 1, Some(1), "True for a positive integer."),
    f("neg-int?", 1, Some(1), "True for a negative integer."),
    f("nat-int?", 1, Some(1), "True for a non-negative integer."),
    f("float?", 1, Some(1), "True for a floating-point number."),
    f("double?", 1, Some(1), "True for a floating-point number."),
    f("char?", 1, Some(1), "True for a character."),
    f("boolean?", 1, Some(1), "True for true or false."),
    f("true?", 1, Some(1), "True for true only."),
    f("false?", 1, Some(1), "True for false only."),
    f("distinct?", 1, ANY, "True when no two arguments are equal."),
    f(
        "identical?",
        2,
        Some(2),
        "True for the same value (yin's values are immutable: as =).",
    ),
    f(
        "boolean",
        1,
        Some(1),
        "false for nil and false, true for anything else.",
    ),
    f(
        "namespace",
        1,
        Some(1),
        "The namespace of a keyword or symbol, or nil.",
    ),
    f("bit-and", 2, ANY, "Bitwise and of integers."),
    f("bit-or", 2, ANY, "Bitwise or of integers."),
    f("bit-xor", 2, ANY, "Bitwise exclusive or of integers."),
    f("bit-shift-left", 2, Some(2), "x shifted left by n bits."),
    f(
        "bit-shift-right",
        2,
        Some(2),
        "x shifted right by n bits, keeping the sign.",
    ),
    f(
        "parse-long",
        1,
        Some(1),
        "The integer the string spells, or nil.",
    ),
    f(
        "parse-double",
        1,
        Some(1),
        "The number the string spells, as a float, or nil.",
    ),
    f("Math/sqrt", 1, Some(1), "The square root, a float."),
    f("Math/pow", 2, Some(2), "x to the power y, a float."),
    f("Math/abs", 1, Some(1), "The absolute value."),
    f(
        "Math/floor",
        1,
        Some(1),
        "The largest whole float not above x.",
    ),
    f(
        "Math/ceil",
        1,
        Some(1),
        "The smallest whole float not below x.",
    ),
    f(
        "Math/round",
        1,
        Some(1),
        "The nearest integer, halves rounded up.",
    ),
    f(
        "reduced",
        1,
        Some(1),
        "Wraps a value so that reduce stops with it.",
    ),
    f("reduced?", 1, Some(1), "True for a value made by reduced."),
    f(
        "ex-cause",
        1,
        Some(1),
        "The cause given to ex-info, or nil.",
    ),
    f(
        "require",
        0,
        ANY,
        "Accepted and ignored: clojure.string and clojure.set are always available, as str/ and set/ too.",
    ),
    f(
        "clojure.set/subset?",
        2,
        Some(2),
        "True when every member of the first set is in the second.",
    ),
    f(
        "set/subset?",
        2,
        Some(2),
        "True when every member of the first set is in the second.",
    ),
    f(
        "clojure.set/superset?",
        2,
        Some(2),
        "True when every member of the second set is in the first.",
    ),
    f(
        "set/superset?",
        2,
        Some(2),
        "True when every member of the second set is in the first.",
    ),
    f(
        "clojure.set/map-invert",
        1,
        Some(1),
        "The map with keys and values swapped.",
    ),
    f(
        "set/map-invert",
        1,
        Some(1),
        "The map with keys and values swapped.",
    ),
    f(
        "clojure.string/reverse",
        1,
        Some(1),
        "s with its characters in reverse order.",
    ),
    f(
        "str/reverse",
        1,
        Some(1),
        "s with its characters in reverse order.",
    ),
    f(
        "clojure.string/capitalize",
        1,
        Some(1),
        "s with its first character in upper case and the rest in lower case.",
    ),
    f(
        "str/capitalize",
        1,
        Some(1),
        "s with its first character in upper case and the rest in lower case.",
    ),
    f(
        "clojure.string/index-of",
        2,
        Some(2),
        "The index of the first occurrence of the substring or character, or nil.",
    ),
    f(
        "str/index-of",
        2,
        Some(2),
        "The index of the first occurrence of the substring or character, or nil.",
    ),
    f(
        "clojure.string/last-index-of",
        2,
        Some(2),
        "The index of the last occurrence of the substring or character, or nil.",
    ),
    f(
        "str/last-index-of",
        2,
        Some(2),
        "The index of the last occurrence of the substring or character, or nil.",
    ),
    f(
        "clojure.string/triml",
        1,
        Some(1),
        "s without leading whitespace.",
    ),
    f("str/triml", 1, Some(1), "s without leading whitespace."),
    f(
        "clojure.string/trimr",
        1,
        Some(1),
        "s without trailing whitespace.",
    ),
    f("str/trimr", 1, Some(1), "s without trailing whitespace."),
    f(
        "clojure.string/trim-newline",
        1,
        Some(1),
        "s without trailing newlines and carriage returns.",
    ),
    f(
        "str/trim-newline",
        1,
        Some(1),
        "s without trailing newlines and carriage returns.",
    ),
    f(
        "pr",
        0,
        ANY,
        "Prints the values readably (as prn), separated by spaces, with no newline.",
    ),
    f("newline", 0, Some(0), "Prints a newline."),
    f("printf", 1, ANY, "Prints (format fmt args...)."),
    f("mapv", 2, ANY, "(map f coll ...) as a vector."),
    f("filterv", 2, Some(2), "(filter pred coll) as a vector."),
    f(
        "some-fn",
        1,
        ANY,
        "A function returning the first truthy (p x) over its predicates and arguments, else the last falsy one.",
    ),
    f(
        "every-pred",
        1,
        ANY,
        "A function returning true when every predicate holds for every argument.",
    ),
    f(
        "memoize",
        1,
        Some(1),
        "f calling through to f once per distinct argument list; its cache is an atom in the store.",
    ),
    f(
        "trampoline",
        1,
        ANY,
        "(trampoline f args...): calls f, then calls its result with no arguments while that is a function.",
    ),
    f(
        "update-vals",
        2,
        Some(2),
        "The map with every value v replaced by (f v).",
    ),
    f(
        "update-keys",
        2,
        Some(2),
        "The map with every key k replaced by (f k).",
    ),
    f(
        "run!",
        2,
        Some(2),
        "Calls (f x) on each element for its effects; nil.",
    ),
    f("swap-vals!", 2, ANY, "As swap!, returning [old new]."),
    f(
        "reset-vals!",
        2,
        Some(2),
        "Sets the atom's value to x, returning [old new].",
    ),
    f(
        "transduce",
        3,
        Some(4),
        "(transduce xform f init? coll): (f (reduce f init xs)) over the transducer's output; init is (f) when absent.",
    ),
    f(
        "sequence",
        1,
        Some(2),
        "(sequence coll), (sequence xform coll): the elements (passed through a transducer) as a vector.",
    ),
    f(
        "eduction",
        1,
        ANY,
        "(eduction xform... coll): the elements passed through the transducers, as a vector.",
    ),
    f(
        "completing",
        1,
        Some(2),
        "(completing f cf?): f with a one-argument completion cf (identity), for transduce.",
    ),
    f(
        "cat",
        1,
        Some(1),
        "The transducer concatenating each element's elements: (into [] cat [[1] [2 3]]).",
    ),
    f(
        "reduce-kv",
        3,
        Some(3),
        "(reduce-kv f init coll): folds (f acc k v) over a map's entries or a vector's indices and elements.",
    ),
    f(
        "reductions",
        2,
        Some(3),
        "(reductions f init? coll): the vector of reduce's intermediate values, from the first.",
    ),
    f(
        "keep-indexed",
        2,
        Some(2),
        "The non-nil values of (f index x).",
    ),
    f(
        "split-with",
        2,
        Some(2),
        "[(take-while pred coll) (drop-while pred coll)].",
    ),
    f(
        "not-every?",
        2,
        Some(2),
        "True when (pred x) is falsy for some element.",
    ),
    f("take-nth", 2, Some(2), "Every nth element, from the first."),
    f(
        "comparator",
        1,
        Some(1),
        "A comparator (-1, 0 or 1) from a two-argument predicate such as <.",
    ),
    f(
        "tree-seq",
        3,
        Some(3),
        "(tree-seq branch? children root): the nodes depth first, each before its children, as a vector.",
    ),
    f(
        "volatile!",
        1,
        Some(1),
        "As atom: yin has one thread, so a volatile is an atom.",
    ),
    f("vswap!", 2, ANY, "As swap!."),
    f("vreset!", 2, Some(2), "As reset!."),
    f(
        "transient",
        1,
        Some(1),
        "The collection itself: yin's collections are updated in place when nothing else holds them.",
    ),
    f(
        "persistent!",
        1,
        Some(1),
        "The collection itself (see transient).",
    ),
    f("conj!", 1, ANY, "As conj."),
    f("assoc!", 3, ANY, "As assoc."),
    f("dissoc!", 1, ANY, "As dissoc."),
    f("disj!", 1, ANY, "As disj."),
    f("pop!", 1, Some(1), "As pop."),
    f(
        "clojure.set/rename-keys",
        2,
        Some(2),
        "The map with the keys named in the second map renamed.",
    ),
    f(
        "Character/toUpperCase",
        1,
        Some(1),
        "The character in upper case.",
    ),
    f(
        "Character/toLowerCase",
        1,
        Some(1),
        "The character in lower case.",
    ),
    f(
        "Character/digit",
        2,
        Some(2),
        "The value of the character as a digit in the radix, or -1.",
    ),
    f("bit-not", 1, Some(1), "The bitwise complement."),
    f(
        "clojure.string/replace-first",
        3,
        Some(3),
        "s with the first match of a string or regex replaced.",
    ),
    f(
        "set/rename-keys",
        2,
        Some(2),
        "The map with the keys named in the second map renamed.",
    ),
    f(
        "str/replace-first",
        3,
        Some(3),
        "s with the first match of a string or regex replaced.",
    ),
    f(
        "clojure.string/escape",
        2,
        Some(2),
        "s with each character the map names replaced by its value (as str).",
    ),
    f(
        "str/escape",
        2,
        Some(2),
        "s with each character the map names replaced by its value (as str).",
    ),
    f("sorted?", 1, Some(1), "True for a sorted map or set."),
    f(
        "sorted-map",
        0,
        ANY,
        "(sorted-map k v ...): a map walked in the order of its keys (by compare); assoc and into keep it sorted.",
    ),
    f(
        "sorted-map-by",
        1,
        ANY,
        "(sorted-map-by cmp k v ...): a sorted map, cmp being compare or < (ascending) or > (descending).",
    ),
    f(
        "sorted-set",
        0,
        ANY,
        "(sorted-set x ...): a set walked in the order of its members (by compare).",
    ),
    f(
        "sorted-set-by",
        1,
        ANY,
        "(sorted-set-by cmp x ...): a sorted set, cmp being compare or < (ascending) or > (descending).",
    ),
    f(
        "float",
        1,
        Some(1),
        "The number as a float (yin has one float type: as double).",
    ),
    f(
        "Integer/parseInt",
        1,
        Some(2),
        "The integer the string spells (in base 10 or the radix given); an error if it spells none (parse-long gives nil).",
    ),
    f(
        "Long/parseLong",
        1,
        Some(2),
        "The integer the string spells (in base 10 or the radix given); an error if it spells none (parse-long gives nil).",
    ),
    f(
        "Double/parseDouble",
        1,
        Some(1),
        "The number the string spells, as a float; an error if it spells none (parse-double gives nil).",
    ),
    f(
        "Character/isDigit",
        1,
        Some(1),
        "True for a digit character.",
    ),
    f("Character/isLetter", 1, Some(1), "True for a letter."),
    f(
        "Character/isWhitespace",
        1,
        Some(1),
        "True for a whitespace character.",
    ),
    f(
        "Character/isUpperCase",
        1,
        Some(1),
        "True for an upper-case letter.",
    ),
    f(
        "Character/isLowerCase",
        1,
        Some(1),
        "True for a lower-case letter.",
    ),
];

/// The core function named `name`, if any.
pub fn core_fn(name: &str) -> Option<&'static CoreFn> {
    CORE.iter().find(|c| c.name == name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_not_special() {
        let mut names: Vec<&str> = CORE.iter().map(|c| c.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
        assert!(CORE.iter().all(|c| !is_special_form(c.name)));
        assert!(SPECIAL_FORMS.iter().all(|s| special_form_doc(s).is_some()));
        assert!(
            CORE.iter()
                .all(|c| c.max_arity.is_none_or(|m| m >= c.min_arity))
        );
    }

    #[test]
    fn arity_checks() {
        let inc = core_fn("inc").unwrap();
        assert!(inc.accepts(1));
        assert!(!inc.accepts(2));
        assert!(core_fn("+").unwrap().accepts(0));
        assert!(core_fn("nope").is_none());
    }
}
