; Text objects for nvim-treesitter-textobjects.

; Functions: `defn`, `defmacro` and `fn` forms; the inner part is the body after the
; parameter vector.

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  (#any-of? @_head "defn" "defmacro" "fn")) @function.outer

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  value: (vec_lit)
  .
  value: (_) @function.inner
  (#any-of? @_head "defn" "defmacro" "fn"))

(anon_fn_lit) @function.outer

(anon_fn_lit
  value: (_) @function.inner)

; Calls: every list; the inner part is the arguments.

(list_lit) @call.outer

(list_lit
  .
  value: (_)
  .
  value: (_) @call.inner)

; Parameters: each symbol of a parameter vector.

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  value: (vec_lit
    value: (_) @parameter.inner)
  (#any-of? @_head "fn" "defn" "defmacro"))

; Conditionals and loops.

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  (#any-of? @_head "if" "when" "when-not" "cond")) @conditional.outer

(list_lit
  .
  value: (sym_lit
    name: (sym_name) @_head)
  (#eq? @_head "loop")) @loop.outer

; Comments and discarded forms.

(comment) @comment.outer

(dis_expr) @comment.outer

; Collections as blocks.

[
  (vec_lit)
  (map_lit)
  (set_lit)
] @block.outer

; Strings.

(str_lit) @string.outer
