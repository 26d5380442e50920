; Text objects for nvim-treesitter-textobjects.

; Functions: `defn`, `defmacro` and `fn` forms; the inner part runs from the first body form
; after the parameter vector to the last (`#make-range!` is nvim-treesitter-textobjects' way
; to span several siblings).

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
  value: (_) @_start
  value: (_)? @_end
  .
  (#any-of? @_head "defn" "defmacro" "fn")
  (#make-range! "function.inner" @_start @_end))

(anon_fn_lit) @function.outer

(anon_fn_lit
  .
  value: (_) @_start
  value: (_)? @_end
  .
  (#make-range! "function.inner" @_start @_end))

; Calls: every list; the inner part is the arguments after the head.

(list_lit) @call.outer

(list_lit
  .
  value: (_)
  .
  value: (_) @_start
  value: (_)? @_end
  .
  (#make-range! "call.inner" @_start @_end))

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
