//! Using every core without changing output order: work is split into contiguous chunks, one
//! scoped thread per core, and results are returned in input order.

use std::num::NonZeroUsize;

/// How many threads may run at once, asked once per process: the standard library reads the
/// process's cgroup files on every call (about 20 system calls, once per file checked).
pub fn cores() -> usize {
    static CORES: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *CORES.get_or_init(|| {
        crate::work::add(crate::work::Unit::CoreQuery, 1);
        std::thread::available_parallelism().map_or(1, NonZeroUsize::get)
    })
}

/// Apply `f` to every item on all cores; the result vector is in the order of `items`.
pub fn map_ordered<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    if items.len() < 2 {
        return items.iter().map(f).collect();
    }
    let threads = cores().min(items.len());
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| {
                let f = &f;
                scope.spawn(move || part.iter().map(f).collect::<Vec<R>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Free `value` on a thread of its own, for the large trees of a large input: freeing a
/// million values takes tens of milliseconds the run need not wait for (a process that ends
/// first leaves the rest to the kernel).
pub fn drop_aside<T: Send + 'static>(value: T) {
    if cores() > 1 {
        // When no thread can be started, the value is freed here, with the closure.
        let _ = std::thread::Builder::new().spawn(move || drop(value));
    }
}

#[cfg(test)]
mod tests {
    use super::map_ordered;

    #[test]
    fn keeps_order() {
        let items: Vec<u32> = (0..1000).collect();
        assert_eq!(
            map_ordered(&items, |x| x * 2),
            items.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
        assert_eq!(map_ordered(&[] as &[u32], |x| *x), Vec::<u32>::new());
    }
}
