//! Labels that never overlap: candidates in order of importance, each placed only where it
//! overlaps none placed before it.

/// A label's box on screen: left, top, right, bottom.
pub type LabelBox = [f32; 4];

/// Which of the candidate boxes (most important first) to draw: greedily, each that overlaps
/// none already kept. A grid of cells `cell` wide keeps this linear in the number of labels.
///
/// ```
/// use jianzhi::map::labels::place;
/// let boxes = [[0.0, 0.0, 10.0, 5.0], [5.0, 0.0, 15.0, 5.0], [20.0, 0.0, 30.0, 5.0]];
/// assert_eq!(place(&boxes, 32.0), vec![true, false, true]);
/// ```
pub fn place(boxes: &[LabelBox], cell: f32) -> Vec<bool> {
    let cell = cell.max(1.0);
    let mut grid: std::collections::HashMap<(i32, i32), Vec<usize>> =
        std::collections::HashMap::new();
    let mut kept = vec![false; boxes.len()];
    let cells = |b: &LabelBox| {
        let (x0, y0) = ((b[0] / cell).floor() as i32, (b[1] / cell).floor() as i32);
        let (x1, y1) = ((b[2] / cell).floor() as i32, (b[3] / cell).floor() as i32);
        (x0..=x1).flat_map(move |x| (y0..=y1).map(move |y| (x, y)))
    };
    let overlap =
        |a: &LabelBox, b: &LabelBox| a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
    for (i, b) in boxes.iter().enumerate() {
        let clash = cells(b).any(|c| {
            grid.get(&c)
                .is_some_and(|placed| placed.iter().any(|&j| overlap(b, &boxes[j])))
        });
        if !clash {
            kept[i] = true;
            for c in cells(b) {
                grid.entry(c).or_default().push(i);
            }
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_labels_never_overlap_and_the_first_always_stays() {
        // A crowd of 200 boxes on a small screen.
        let mut boxes = Vec::new();
        let mut x = 7.0_f32;
        for _ in 0..200 {
            x = (x * 37.0 + 11.0) % 500.0;
            let y = (x * 13.0) % 300.0;
            boxes.push([x, y, x + 40.0, y + 12.0]);
        }
        let kept = place(&boxes, 50.0);
        assert!(kept[0]);
        for i in 0..boxes.len() {
            for j in 0..i {
                let (a, b) = (&boxes[i], &boxes[j]);
                let overlap = a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3];
                assert!(!(kept[i] && kept[j] && overlap), "{i} and {j} overlap");
            }
        }
        // A dropped box always clashes with a kept one.
        for i in (0..boxes.len()).filter(|&i| !kept[i]) {
            assert!((0..i).any(|j| kept[j] && {
                let (a, b) = (&boxes[i], &boxes[j]);
                a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]
            }));
        }
    }
}
