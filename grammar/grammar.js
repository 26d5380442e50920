// @ts-check
/**
 * Tree-sitter grammar for yin's reader syntax, which is Clojure's.
 *
 * Only reader-level forms are parsed: lists, vectors, maps, symbols, keywords, metadata and
 * the reader macros. `defn`, `let` and the other special forms are ordinary lists here; the
 * syntax crate's lowering and the queries in `queries/` give them meaning (see README.md).
 */

// Whitespace; the comma is whitespace in Clojure.
const WHITESPACE = /[\s,]+/;

// `;` comments run to the end of the line; `#!` is Clojure's other line comment.
const LINE_COMMENT = /(;|#!).*/;

// Characters that end a token: whitespace, the comma, brackets, and the terminating reader
// macro characters (`" ; @ ^ ` ~ \`). `'`, `#` and `:` do not end a token (`a'`, `x#`, `a:b`).
const DELIMITER = '\\s,()\\[\\]{}";@^`~\\\\';

// A character that may continue a symbol or keyword.
const TOKEN_CHAR = new RegExp(`[^${DELIMITER}]`);

// A character that may start a symbol: not a digit, and not `:`, `#` or `'`, which start
// keywords, dispatch macros and quotes.
const SYMBOL_HEAD = new RegExp(`[^${DELIMITER}:#'0-9]`);

// Symbols, including `+`, `->>`, `.method`, `call/cc`, `a.b/c` and `clojure.core//`.
// A `+` or `-` followed by a digit starts a number instead (NUMBER has higher precedence).
const SYMBOL = seq(SYMBOL_HEAD, repeat(TOKEN_CHAR));

// Keywords: `:a`, `:ns/a`, `::a`, `::alias/a`.
const KEYWORD = seq(/::?/, new RegExp(`[^${DELIMITER}:]`), repeat(TOKEN_CHAR));

// `::` alone, the current-namespace prefix of `#::{}`.
const AUTO_RESOLVE_MARK = '::';

const SIGN = /[+-]?/;
const DIGITS = /[0-9]+/;
const HEX_INTEGER = seq(SIGN, /0[xX][0-9a-fA-F]+N?/);
const RADIX_INTEGER = seq(SIGN, /[0-9]{1,2}[rR][0-9a-zA-Z]+/);
const RATIO = seq(SIGN, DIGITS, '/', DIGITS);
const DECIMAL = seq(SIGN, DIGITS, /N|(\.[0-9]*)?([eE][+-]?[0-9]+)?M?/);

// Every Clojure number literal: integers (with `N`), hex, radix, ratios, floats (with `M`).
const NUMBER = choice(HEX_INTEGER, RADIX_INTEGER, RATIO, DECIMAL);

// `##Inf`, `##-Inf`, `##NaN`; any symbol after `##` is accepted so the reader can report it.
const SYMBOLIC_VALUE = seq('##', repeat1(TOKEN_CHAR));

// A string, which may span lines; a backslash escapes any character, the reader checks which.
const STRING = seq('"', repeat(choice(/[^"\\]/, /\\(.|\n)/)), '"');

// `#"..."`; the pattern is kept verbatim (escapes are the regex engine's business).
const REGEX = seq('#', STRING);

// Characters: `\a`, `\(`, `\newline`, `\space`, `\u0041`, `\o12`.
const CHARACTER = seq(
  '\\',
  choice(
    /u[0-9a-fA-F]{4}/,
    /o[0-7]{1,3}/,
    /newline|return|space|tab|backspace|formfeed/,
    /./,
    /\n/,
  ),
);

/**
 * The shape every collection shares: `open`, then `value` elements, then `close`.
 * @param {RuleOrLiteral} open
 * @param {RuleOrLiteral} close
 * @param {RuleOrLiteral} form
 */
function collection(open, close, form) {
  return seq(field('open', open), repeat(field('value', form)), field('close', close));
}

module.exports = grammar({
  name: 'yin',

  // Comments and discards may sit between any two tokens: inside collections, between a
  // prefix marker and its form, between metadata and the form it annotates.
  extras: $ => [WHITESPACE, $.comment, $.dis_expr],

  // Symbol-like tokens are lexed as one word and then checked against `nil`, `true`, `false`,
  // so `nilly` stays a symbol.
  word: $ => $._sym_token,

  rules: {
    source: $ => repeat($._form),

    _form: $ => choice(
      $.num_lit,
      $.str_lit,
      $.char_lit,
      $.nil_lit,
      $.bool_lit,
      $.kwd_lit,
      $.sym_val_lit,
      $.regex_lit,
      $.sym_lit,
      $.list_lit,
      $.vec_lit,
      $.map_lit,
      $.set_lit,
      $.anon_fn_lit,
      $.ns_map_lit,
      $.read_cond_lit,
      $.splicing_read_cond_lit,
      $.quoting_lit,
      $.syn_quoting_lit,
      $.unquoting_lit,
      $.unquote_splicing_lit,
      $.derefing_lit,
      $.var_quoting_lit,
      $.evaling_lit,
      $.tagged_or_ctor_lit,
    ),

    comment: _ => token(LINE_COMMENT),

    dis_expr: $ => seq('#_', field('value', $._form)),

    // Atoms. Clojure rejects metadata on these (they are not IMeta), so they take none and
    // stay leaves whose text is the whole token.

    // A number beats a symbol on the same text, so `-1` and `+2.5` are numbers while `-`
    // and `->` stay symbols.
    num_lit: _ => token(prec(10, NUMBER)),

    str_lit: _ => token(STRING),

    char_lit: _ => token(CHARACTER),

    nil_lit: _ => 'nil',

    bool_lit: _ => choice('true', 'false'),

    kwd_lit: _ => token(KEYWORD),

    sym_val_lit: _ => token(SYMBOLIC_VALUE),

    regex_lit: _ => token(REGEX),

    // Forms that may carry metadata: it comes first, as `meta` children.

    sym_lit: $ => seq(optional($._metadata), field('name', alias($._sym_token, $.sym_name))),

    _sym_token: _ => token(SYMBOL),

    list_lit: $ => seq(optional($._metadata), collection('(', ')', $._form)),

    vec_lit: $ => seq(optional($._metadata), collection('[', ']', $._form)),

    map_lit: $ => seq(optional($._metadata), collection('{', '}', $._form)),

    set_lit: $ => seq(optional($._metadata), collection('#{', '}', $._form)),

    anon_fn_lit: $ => seq(optional($._metadata), collection('#(', ')', $._form)),

    ns_map_lit: $ => seq(
      optional($._metadata),
      '#',
      field('prefix', choice($.kwd_lit, $.auto_res_mark)),
      collection('{', '}', $._form),
    ),

    auto_res_mark: _ => AUTO_RESOLVE_MARK,

    read_cond_lit: $ => seq(optional($._metadata), '#?', collection('(', ')', $._form)),

    splicing_read_cond_lit: $ => seq(optional($._metadata), '#?@', collection('(', ')', $._form)),

    quoting_lit: $ => prefixed($, '\''),

    syn_quoting_lit: $ => prefixed($, '`'),

    unquoting_lit: $ => prefixed($, '~'),

    unquote_splicing_lit: $ => prefixed($, '~@'),

    derefing_lit: $ => prefixed($, '@'),

    var_quoting_lit: $ => prefixed($, '#\''),

    evaling_lit: $ => prefixed($, '#='),

    tagged_or_ctor_lit: $ => seq(
      optional($._metadata),
      '#',
      field('tag', $.sym_lit),
      field('value', $._form),
    ),

    // One hidden rule shared by every form that takes metadata, so the parser can read any
    // number of `^m` prefixes before it knows which form they annotate.
    _metadata: $ => repeat1(field('meta', choice($.meta_lit, $.old_meta_lit))),

    meta_lit: $ => seq('^', field('value', $._form)),

    old_meta_lit: $ => seq('#^', field('value', $._form)),
  },
});

/**
 * A reader macro applied to the next form, such as `'x` or `@a`.
 * @param {GrammarSymbols<string>} $
 * @param {string} marker
 */
function prefixed($, marker) {
  return seq(optional($._metadata), marker, field('value', $._form));
}
