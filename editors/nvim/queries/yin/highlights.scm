; Highlights for yin. When several patterns capture the same node, the last one wins, both in
; tree-sitter-highlight (0.25) and in Neovim: generic patterns come first, specific ones later.

; Literals

(comment) @comment

(dis_expr) @comment

(num_lit) @number

(sym_val_lit) @number

(str_lit) @string

(regex_lit) @string.regexp

(char_lit) @character

(nil_lit) @constant.builtin

(bool_lit) @boolean

(kwd_lit) @string.special.symbol

(ns_map_lit
  prefix: (auto_res_mark) @string.special.symbol)

; Calls: the head symbol of any list. Special forms and core functions are captured again by
; later patterns, which take precedence.

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @function.call))

; Names being defined. The head is tested on its `sym_lit`, not its `sym_name`: when a later
; pattern (the special forms) captures the same node, tree-sitter-highlight drops the earlier
; match whole, and the name's capture with it. For the same reason no other pattern may test a
; head `sym_lit`, which is why parameters are not highlighted here: one match per parameter
; would share the head, and all but the last would be dropped.

(list_lit
  .
  value: (sym_lit) @_def
  .
  value: (sym_lit
    name: (sym_name) @function)
  (#any-of? @_def "defn" "defmacro"))

(list_lit
  .
  value: (sym_lit) @_def
  .
  value: (sym_lit
    name: (sym_name) @variable)
  (#eq? @_def "def"))

(list_lit
  .
  value: (sym_lit) @_fn
  .
  value: (sym_lit
    name: (sym_name) @function)
  (#eq? @_fn "fn"))

; The core library (every function of `syntax::core::CORE`, aliases included; a test in
; server/syntax/tests/highlights.rs keeps the two in step).

((sym_name) @function.builtin
  (#any-of? @function.builtin
    "+" "-" "*" "/" "=" "==" "!=" "not=" "<" ">" "<=" ">=" "not" "inc" "dec" "quot" "rem" "mod"
    "min" "max" "abs" "nil?" "some?" "zero?" "pos?" "neg?" "even?" "odd?" "number?" "string?"
    "keyword?" "symbol?" "fn?" "vector?" "map?" "set?" "empty?" "str" "name" "keyword" "symbol"
    "subs" "count" "first" "rest" "next" "last" "nth" "cons" "conj" "concat" "seq" "vec" "vector"
    "list" "hash-map" "hash-set" "get" "get-in" "assoc" "assoc-in" "dissoc" "update" "contains?"
    "keys" "vals" "into" "range" "reverse" "sort" "map" "filter" "reduce" "apply" "identity" "comp"
    "partial" "print" "println" "prn" "gensym" "call/cc" "park" "resume" "stream/make" "stream/put!"
    "stream/cursor" "stream/next!" "stream/close!" "re-pattern" "re-find" "re-matches" "re-seq"
    "atom" "deref" "reset!" "swap!" "compare-and-set!" "ex-info" "ex-data" "ex-message" "throw"
    "try*" "take" "drop" "take-while" "drop-while" "iterate" "repeat" "repeatedly" "cycle" "some"
    "every?" "not-any?" "remove" "keep" "mapcat" "map-indexed" "partition" "partition-by" "group-by"
    "frequencies" "distinct" "interleave" "interpose" "sort-by" "zipmap" "merge" "merge-with"
    "select-keys" "update-in" "juxt" "constantly" "complement" "fnil" "max-key" "min-key" "disj"
    "clojure.set/union" "clojure.set/intersection" "clojure.set/difference" "int" "char" "long"
    "double" "compare" "hash" "format" "pr-str" "prn-str" "print-str" "clojure.string/split"
    "clojure.string/join" "clojure.string/upper-case" "clojure.string/lower-case"
    "clojure.string/trim" "clojure.string/includes?" "clojure.string/replace"
    "clojure.string/starts-with?" "clojure.string/ends-with?" "clojure.string/blank?"
    "clojure.string/split-lines" "set/union" "set/intersection" "set/difference" "str/split"
    "str/join" "str/upper-case" "str/lower-case" "str/trim" "str/includes?" "str/replace"
    "str/starts-with?" "str/ends-with?" "str/blank?" "str/split-lines"
    "second" "ffirst" "butlast" "drop-last" "take-last" "nthrest" "nthnext" "not-empty" "empty"
    "flatten" "subvec" "dedupe" "list*" "split-at" "partition-all" "peek" "pop" "key" "val" "find"
    "rseq" "set" "doall" "dorun" "seq?" "list?" "coll?" "sequential?" "associative?" "integer?"
    "int?" "pos-int?" "neg-int?" "nat-int?" "float?" "double?" "char?" "boolean?" "true?" "false?"
    "distinct?" "identical?" "boolean" "namespace" "bit-and" "bit-or" "bit-xor" "bit-shift-left"
    "bit-shift-right" "parse-long" "parse-double" "Math/sqrt" "Math/pow" "Math/abs" "Math/floor"
    "Math/ceil" "Math/round" "reduced" "reduced?" "ex-cause" "require" "clojure.set/subset?"
    "set/subset?" "clojure.set/superset?" "set/superset?" "clojure.set/map-invert" "set/map-invert"
    "clojure.string/reverse" "str/reverse" "clojure.string/capitalize" "str/capitalize"
    "clojure.string/index-of" "str/index-of" "clojure.string/last-index-of" "str/last-index-of"
    "clojure.string/triml" "str/triml" "clojure.string/trimr" "str/trimr"
    "clojure.string/trim-newline" "str/trim-newline" "pr" "newline" "printf" "mapv" "filterv" "float"
    "Integer/parseInt" "Long/parseLong" "Double/parseDouble" "Character/isDigit" "Character/isLetter"
    "Character/isWhitespace" "Character/isUpperCase" "Character/isLowerCase"
    "some-fn" "every-pred" "memoize" "trampoline" "update-vals" "update-keys" "run!" "swap-vals!"
    "reset-vals!" "transduce" "sequence" "eduction" "completing" "cat" "reduce-kv" "reductions"
    "keep-indexed" "split-with" "not-every?" "take-nth" "comparator" "tree-seq" "volatile!" "vswap!"
    "vreset!" "transient" "persistent!" "conj!" "assoc!" "dissoc!" "disj!" "pop!"
    "clojure.set/rename-keys" "Character/toUpperCase" "Character/toLowerCase" "Character/digit"
    "bit-not" "clojure.string/replace-first" "set/rename-keys" "str/replace-first" "sorted-map"
    "sorted-map-by" "sorted-set" "sorted-set-by" "clojure.string/escape" "str/escape" "sorted?"))

; Special forms and core macros, wherever they appear (they are reserved names in yin), with
; `try`'s clause heads and `throw`, which Clojure editors show as keywords too.

((sym_name) @keyword
  (#any-of? @keyword
    "def" "defn" "defmacro" "fn" "let" "if" "do" "quote" "and" "or" "when" "when-not" "cond" "loop"
    "recur" "->" "->>" "comment" "ns" "declare" "if-not" "if-let" "when-let" "if-some" "when-some"
    "case" "condp"
    "letfn" "while" "doseq" "dotimes" "for" "as->" "some->" "some->>" "cond->" "cond->>" "doto"
    "try" "catch" "finally" "throw" "call/cc" "defn-" "defrecord" "assert" "defmulti" "defmethod"
    "defonce"))

; The rest parameter marker and anonymous-function arguments.

((sym_name) @punctuation.special
  (#eq? @punctuation.special "&"))

; `[%]`, not `%`: Neovim's `#match?` is a Vim regex, where `%[` starts an optional sequence; the
; bracket is literal in both regex dialects.
((sym_name) @variable.parameter
  (#match? @variable.parameter "^[%][0-9&]*$"))

; Tagged literals: `#inst "..."`.

(tagged_or_ctor_lit
  tag: (sym_lit
    name: (sym_name) @type))

; Punctuation

[
  "("
  ")"
  "["
  "]"
  "{"
  "}"
  "#{"
  "#("
] @punctuation.bracket

[
  "'"
  "`"
  "~"
  "~@"
  "@"
  "#'"
  "#="
  "#?"
  "#?@"
  "^"
  "#^"
  "#_"
  "#"
] @punctuation.special
