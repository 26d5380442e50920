//! The tree-sitter grammar for yin's reader syntax (Clojure's), and its queries.
//!
//! This crate only exposes the generated parser and the query sources in `queries/`; it knows
//! nothing about what yin forms mean. Special forms are recognised by the syntax crate's lowering
//! and by the queries, never by the grammar. `grammar/README.md` lists the node kinds and fields.
//!
//! ```
//! let mut parser = tree_sitter::Parser::new();
//! parser.set_language(&tree_sitter_yin::LANGUAGE.into()).expect("ABI matches");
//! let tree = parser.parse("(+ 1 2)", None).expect("no timeout was set");
//! assert!(!tree.root_node().has_error());
//! ```

use tree_sitter_language::LanguageFn;

#[allow(
    unsafe_code,
    reason = "declares the generated parser's C entry point, used only by `LANGUAGE`"
)]
unsafe extern "C" {
    fn tree_sitter_yin() -> *const ();
}

/// The tree-sitter [`LanguageFn`] for yin.
#[allow(
    unsafe_code,
    reason = "the generated parser is a C function; this is the only FFI"
)]
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_yin) };

/// The node types, as JSON, from `src/node-types.json`.
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

/// Highlight query (`queries/highlights.scm`), in the standard capture names
/// (`@keyword`, `@function.builtin`, ...).
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");

/// Local scopes query (`queries/locals.scm`): `@local.scope`, `@local.definition.*`,
/// `@local.reference`.
pub const LOCALS_QUERY: &str = include_str!("../../queries/locals.scm");

/// Folding query (`queries/folds.scm`): `@fold`.
pub const FOLDS_QUERY: &str = include_str!("../../queries/folds.scm");

/// Indentation query (`queries/indents.scm`), in Neovim's `@indent.*` captures.
pub const INDENTS_QUERY: &str = include_str!("../../queries/indents.scm");

/// Text objects query (`queries/textobjects.scm`), in nvim-treesitter-textobjects' captures
/// (`@function.outer`, `@call.inner`, ...).
pub const TEXTOBJECTS_QUERY: &str = include_str!("../../queries/textobjects.scm");
