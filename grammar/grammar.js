// @ts-check
// Placeholder first cut; the full reader grammar replaces it.

const WS = /[\s,]+/;

module.exports = grammar({
  name: 'yin',

  extras: $ => [WS, $.comment],

  rules: {
    source: $ => repeat($._form),

    _form: $ => choice(
      $.num_lit, $.str_lit, $.kwd_lit, $.nil_lit, $.bool_lit, $.sym_lit,
      $.list_lit, $.vec_lit, $.map_lit, $.set_lit, $.quoting_lit,
    ),

    comment: _ => token(seq(';', /.*/)),
    num_lit: _ => token(prec(1, /[+-]?\d+(\.\d+)?(\/\d+)?/)),
    str_lit: _ => token(seq('"', repeat(choice(/[^"\\]/, /\\./)), '"')),
    kwd_lit: _ => token(seq(':', /[^\s,()\[\]{}"';@^`~\\]+/)),
    nil_lit: _ => 'nil',
    bool_lit: _ => choice('true', 'false'),
    sym_lit: _ => token(/[^\s,()\[\]{}"';@^`~\\:#0-9][^\s,()\[\]{}"';@^`~\\]*/),

    list_lit: $ => seq(field('open', '('), repeat(field('value', $._form)), field('close', ')')),
    vec_lit: $ => seq(field('open', '['), repeat(field('value', $._form)), field('close', ']')),
    map_lit: $ => seq(field('open', '{'), repeat(field('value', $._form)), field('close', '}')),
    set_lit: $ => seq(field('open', '#{'), repeat(field('value', $._form)), field('close', '}')),
    quoting_lit: $ => seq('\'', field('value', $._form)),
  },
});
