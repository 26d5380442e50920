; Neovim-style indentation (nvim-treesitter's `@indent.*` captures). Lisp indentation is
; structural: a line inside an open collection is indented one level, a closing delimiter on
; its own line goes back to the level of its opener.

[
  (list_lit)
  (vec_lit)
  (map_lit)
  (set_lit)
  (anon_fn_lit)
  (ns_map_lit)
  (read_cond_lit)
  (splicing_read_cond_lit)
] @indent.begin

[
  ")"
  "]"
  "}"
] @indent.branch @indent.end

; A multi-line string keeps its text where it is.

(str_lit) @indent.ignore

(comment) @indent.auto
