//! The first lowering of a large file free of syntax errors, on two threads.
//!
//! Top-level forms are read and lowered on their own, so the two halves of a file's forms are
//! lowered at once: the first on this thread with the lowering's name table, the second on
//! another with a table of its own, whose names the lowering's table then takes. Slots are
//! those of the serial lowering (in file order from the first), so the forms, their datoms and
//! links are the same; only which allocation a name of the second half shares differs, which
//! no value compares.

use tree_sitter::Node;

use super::{FileLowering, TopForm, Unit, lock, lower_top, to_u32, units};
use crate::document::Document;
use crate::intern::Interner;
use crate::threads;

impl FileLowering {
    /// Lowers every top-level form of `doc`, free of syntax errors, whose whole text is `text`,
    /// into this empty lowering, on two threads. Returns `false`, having changed nothing, when
    /// the text is small, the machine has one core or a second thread cannot be started: the
    /// caller then lowers on its own thread.
    pub(super) fn lower_in_parallel(&mut self, doc: &Document, text: &str) -> bool {
        if !self.forms.is_empty() || !threads::worth_a_second_thread(text.len()) {
            return false;
        }
        // A clean document's units are all nodes.
        let Some(nodes) = units(doc, 0, usize::MAX)
            .into_iter()
            .map(|unit| match unit {
                Unit::Node(node, base) => Some((node, base)),
                Unit::Chunk(..) => None,
            })
            .collect::<Option<Vec<(Node<'_>, usize)>>>()
        else {
            return false;
        };
        if nodes.len() < 2 {
            return false;
        }
        let half = nodes
            .partition_point(|(node, base)| base + node.start_byte() < text.len() / 2)
            .clamp(1, nodes.len() - 1);
        let (first, second) = nodes.split_at(half);
        let first_slot = self.next_slot;
        let second_slot = first_slot.saturating_add(to_u32(half));
        let lowered = std::thread::scope(|scope| {
            let other = std::thread::Builder::new()
                .name("yin-lower".to_owned())
                .spawn_scoped(scope, || {
                    let mut interner = Interner::new();
                    let forms = lower_all(second, text, second_slot, &mut interner);
                    (forms, interner)
                });
            let Ok(other) = other else {
                return None;
            };
            let mut forms = lower_all(first, text, first_slot, &mut lock(&self.interner));
            match other.join() {
                Ok((rest, interner)) => {
                    forms.extend(rest);
                    lock(&self.interner).absorb(interner);
                    Some(forms)
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        });
        let Some(forms) = lowered else {
            return false;
        };
        self.next_slot = first_slot.saturating_add(to_u32(forms.len()));
        self.replace(vec![(0, 0, forms)], Vec::new(), None);
        true
    }
}

/// `nodes` (each with the start of its chunk) read from `text` and lowered, under consecutive
/// slots from `first`.
fn lower_all(
    nodes: &[(Node<'_>, usize)],
    text: &str,
    first: u32,
    interner: &mut Interner,
) -> Vec<TopForm> {
    nodes
        .iter()
        .enumerate()
        .map(|(i, &(node, base))| {
            let slot = first.saturating_add(to_u32(i));
            let chunk = text.get(base..).unwrap_or_default();
            lower_top(node, chunk, base, slot, None, interner)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What a lowering holds that anyone can see: forms (slot, label, extent), datoms,
    /// diagnostics, the definition and user indexes, the labels and the next slot.
    fn visible(file: &FileLowering) -> String {
        let forms: Vec<(u32, u64, usize, usize)> = file
            .forms()
            .iter()
            .map(|f| (f.slot, f.label, f.start(), f.end()))
            .collect();
        format!(
            "{forms:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{}",
            file.datoms(),
            file.diagnostics(),
            file.defs,
            file.root_defs,
            file.users,
            file.labels,
            file.next_slot
        )
    }

    fn assert_same_as_serial(text: &str) {
        let doc = Document::new(text);
        assert!(!doc.has_syntax_error() && text.len() >= threads::PARALLEL_BYTES);
        let mut parallel = FileLowering::unlowered(&doc);
        assert!(parallel.lower_in_parallel(&doc, &doc.rope().to_string()));
        let serial = FileLowering::first(&doc, false);
        assert!(
            visible(&parallel) == visible(&serial),
            "the parallel lowering differs from the serial one"
        );
        assert!(visible(&FileLowering::new(&doc)) == visible(&serial));
    }

    #[test]
    fn the_corpus_lowers_as_it_does_on_one_thread() {
        // The corpus files free of syntax errors, joined.
        let text: String = test_support::corpus::examples()
            .into_iter()
            .filter(|(_, text)| !Document::new(text).has_syntax_error())
            .map(|(_, text)| text + "\n")
            .collect();
        assert_same_as_serial(&text);
    }

    #[test]
    fn a_generated_file_lowers_as_it_does_on_one_thread() {
        assert_same_as_serial(&test_support::generated::source(10_000));
    }

    #[test]
    fn one_line_definitions_lower_as_they_do_on_one_thread() {
        // Names defined in one half and used or defined again in the other.
        let text: String = (0..6_000)
            .map(|n| format!("(defn f{n} [x] (+ x (f{} {n})))\n", (n * 7919) % 6_000))
            .chain((0..50).map(|n| format!("(def f{n} {n})\n")))
            .collect();
        assert_same_as_serial(&text);
    }
}
