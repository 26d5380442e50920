//! Strongly connected components of a directed graph: the order in which rules are stratified,
//! and in which anything else that depends on other things must be done (the live session's
//! loading plan orders definitions with it).

/// Tarjan's strongly connected components of the graph in which node `v` has edges to the nodes
/// `edges[v]`. It keeps its own stack rather than recursing, since users write the graphs (rule
/// sets, programs) and a chain of 100,000 can be one of them. Components come out in reverse
/// topological order of the condensation: each one after every component it reaches.
///
/// `tick` is called once per step, so that a caller with a budget can stop a long run.
pub fn strongly_connected<E>(
    edges: &[Vec<usize>],
    mut tick: impl FnMut() -> Result<(), E>,
) -> Result<Vec<Vec<usize>>, E> {
    const UNSEEN: usize = usize::MAX;
    let n = edges.len();
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack: Vec<usize> = Vec::new();
    // The nodes being visited, each with the next of its edges to follow.
    let mut frames: Vec<(usize, usize)> = Vec::new();
    let mut components = Vec::new();
    let mut counter = 0;
    for start in 0..n {
        if index[start] != UNSEEN {
            continue;
        }
        frames.push((start, 0));
        index[start] = counter;
        low[start] = counter;
        counter += 1;
        stack.push(start);
        on_stack[start] = true;
        while let Some(frame) = frames.last_mut() {
            tick()?;
            let (v, i) = *frame;
            if let Some(&w) = edges[v].get(i) {
                frame.1 += 1;
                if index[w] == UNSEEN {
                    index[w] = counter;
                    low[w] = counter;
                    counter += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    frames.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            frames.pop();
            if let Some(&(parent, _)) = frames.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut members = Vec::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    members.push(w);
                    if w == v {
                        break;
                    }
                }
                components.push(members);
            }
        }
    }
    Ok(components)
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;

    use super::strongly_connected;

    fn components(edges: &[Vec<usize>]) -> Vec<Vec<usize>> {
        let Ok(mut found) = strongly_connected(edges, || Ok::<(), Infallible>(()));
        for c in &mut found {
            c.sort_unstable();
        }
        found
    }

    #[test]
    fn cycles_are_one_component_and_come_after_what_they_reach() {
        // 0 -> 1 -> 2 -> 1, 2 -> 3; 4 alone.
        let edges = vec![vec![1], vec![2], vec![1, 3], vec![], vec![]];
        assert_eq!(
            components(&edges),
            vec![vec![3], vec![1, 2], vec![0], vec![4]]
        );
    }

    #[test]
    fn a_long_chain_needs_no_deep_stack() {
        let n = 200_000;
        let edges: Vec<Vec<usize>> = (0..n)
            .map(|i| if i + 1 < n { vec![i + 1] } else { vec![] })
            .collect();
        let found = components(&edges);
        assert_eq!(found.len(), n);
        assert_eq!(found[0], vec![n - 1]);
    }

    #[test]
    fn tick_can_stop_the_run() {
        let edges = vec![vec![1], vec![0]];
        let mut left = 2;
        let stopped = strongly_connected(&edges, || {
            left -= 1;
            if left == 0 { Err("budget") } else { Ok(()) }
        });
        assert_eq!(stopped, Err("budget"));
    }
}
