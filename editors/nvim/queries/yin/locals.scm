; Scopes, definitions and references for yin, in the `@local.*` captures that both
; tree-sitter-highlight and Neovim read. Special forms are plain lists in the tree, so each
; pattern matches the head symbol by name. Definitions use the plain `@local.definition`
; capture: tree-sitter-highlight recognises only that exact name (Neovim accepts it too).

; Scopes: every binding form opens one.

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  (#any-of? @_head "fn" "defn" "defmacro" "let" "loop")) @local.scope

; Top-level definitions.

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  .
  value: (sym_lit
    name: (sym_name) @local.definition)
  (#any-of? @_head "defn" "defmacro"))

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  .
  value: (sym_lit
    name: (sym_name) @local.definition)
  (#eq? @_head "def"))

; A named `fn` can call itself.

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  .
  value: (sym_lit
    name: (sym_name) @local.definition)
  (#eq? @_head "fn"))

; Parameters of `fn`, `defn` and `defmacro`: every symbol in the parameter vector but `&`,
; whether the vector follows the head, a name, or a docstring, or opens an arity list.

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  value: (vec_lit
    value: (sym_lit
      name: (sym_name) @local.definition))
  (#any-of? @_head "fn" "defn" "defmacro")
  (#not-eq? @local.definition "&"))

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  value: (list_lit
    .
    value: (vec_lit
      value: (sym_lit
        name: (sym_name) @local.definition)))
  (#any-of? @_head "fn" "defn" "defmacro")
  (#not-eq? @local.definition "&"))

; `let` and `loop` bindings: the symbols at even positions of the binding vector. Queries
; cannot count, so each position has its own pattern (eight bindings are covered).

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  .
  value: (vec_lit
    .
    value: (sym_lit
      name: (sym_name) @local.definition))
  (#any-of? @_head "let" "loop"))

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  .
  value: (vec_lit
    .
    value: (_)
    .
    value: (_)
    .
    value: (sym_lit
      name: (sym_name) @local.definition))
  (#any-of? @_head "let" "loop"))

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  .
  value: (vec_lit
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (sym_lit
      name: (sym_name) @local.definition))
  (#any-of? @_head "let" "loop"))

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  .
  value: (vec_lit
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (sym_lit
      name: (sym_name) @local.definition))
  (#any-of? @_head "let" "loop"))

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  .
  value: (vec_lit
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (sym_lit
      name: (sym_name) @local.definition))
  (#any-of? @_head "let" "loop"))

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  .
  value: (vec_lit
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (sym_lit
      name: (sym_name) @local.definition))
  (#any-of? @_head "let" "loop"))

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  .
  value: (vec_lit
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (sym_lit
      name: (sym_name) @local.definition))
  (#any-of? @_head "let" "loop"))

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  .
  value: (vec_lit
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (_)
    .
    value: (sym_lit
      name: (sym_name) @local.definition))
  (#any-of? @_head "let" "loop"))

; References: every symbol; a reference resolves to the nearest enclosing definition.

(sym_name) @local.reference
