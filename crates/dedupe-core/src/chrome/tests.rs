use super::extent::*;
use super::sections::*;
use super::*;
use crate::classify::{BAD, CHROME, CODE, GOOD, ITEM, NEAR, SHORT};

fn lexicon() -> Lexicon {
    Lexicon {
        terminal: ".!?…。！？".chars().collect(),
        closers: "\"'”’)]）」』】》〉".chars().collect(),
        ..Lexicon::default()
    }
}

/// A whole page read as an article, without repeats.
fn article_page<'a>(
    texts: &'a [&'a str],
    sizes: &'a [i64],
    classes: &'a [u8],
    families: &'a [Option<Family>],
) -> Page<'a> {
    Page {
        texts,
        sizes,
        classes,
        families,
        kind: Some(Kind::Article),
        whole_page: true,
        repeats: None,
    }
}

/// The page's chrome findings as (block, kind, how).
fn found_blocks(lex: &Lexicon, page: &Page) -> Vec<(usize, u8, u8)> {
    find_chrome(lex, page)
        .iter()
        .map(|f| (f.block, f.kind, f.how))
        .collect()
}

#[test]
fn weights_by_class() {
    assert_eq!(weight(GOOD, 30), 30.0);
    assert_eq!(weight(NEAR, 9), 4.5);
    assert_eq!(weight(SHORT, 1), -3.0);
    assert_eq!(weight(BAD, 100), -40.0);
    assert_eq!(weight(ITEM, 5), 0.0);
    assert_eq!(weight(CODE, 50), 0.0);
    assert_eq!(weight(CHROME, 4), -12.0);
    assert_eq!(weight(CHROME, 50), -80.0);
}

#[test]
fn strongest_stretches() {
    let w = [-3.0, 40.0, -5.0, 20.0, -80.0, 35.0, -3.0];
    assert_eq!(best_stretch(&w, 0, w.len()), (55.0, Some((1, 4))));
    assert_eq!(best_stretch(&[-1.0, -2.0], 0, 2), (0.0, None));
    // The second stretch (35) weighs more than 0.3 of the first and MIN_STRETCH: it is held too.
    assert_eq!(article_extent(&w), vec![false, true, true, true, false, true, false]);
    // A weaker one (20 < 30 words) is not.
    let w = [100.0, -80.0, 20.0];
    assert_eq!(article_extent(&w), vec![true, false, false]);
    assert_eq!(
        whole_runs(vec![false, true, false, false], &[false, true, true, false]),
        vec![false, true, true, false]
    );
}

#[test]
fn lead_ins_and_colons() {
    assert!(lead_in("READ MORE: Markets fall"));
    assert!(lead_in("Related » Story"));
    assert!(!lead_in("Related articles:"));
    assert!(!lead_in("Related articles: "));
    assert!(lead_in("a:　b")); // (an ideographic space is white space)
}

#[test]
fn marks_of_headings() {
    let marks = heading_marks("History [ edit ]");
    assert_eq!(marks.into_iter().collect::<Vec<_>>(), vec!["[edit]".to_string()]);
    assert!(heading_marks("Notes (2)").is_empty()); // (no letter)
    assert!(heading_marks("[edit]").is_empty()); // (the whole heading)
    let both = heading_marks("【简介】 title [编辑]");
    assert!(both.contains("【简介】") && both.contains("[编辑]"));
    assert!(heading_marks("a [b] c").is_empty()); // (neither at the start nor at the end)
    assert!(heading_marks("x [abcdefghijklmnopqrstuvwxyz]").is_empty()); // (more than 24 characters)
}

#[test]
fn teasers_in_a_row() {
    let lex = lexicon();
    // Three teasers of a headline and a date, then a summary each.
    let texts = [
        "Intro",
        "Headline one",
        "2024-01-05",
        "Summary one.",
        "Headline two",
        "2024-01-06",
        "Summary two.",
        "Headline three",
        "2024-01-07",
        "Summary three.",
        "end",
    ];
    let classes = [SHORT, SHORT, ITEM, NEAR, SHORT, ITEM, NEAR, SHORT, ITEM, NEAR, SHORT];
    let sizes = [1, 2, 1, 20, 2, 1, 20, 2, 1, 20, 1];
    let runs = teaser_runs(&lex, &classes, &sizes, &texts);
    assert_eq!(
        runs,
        vec![false, true, true, true, true, true, true, true, true, true, false]
    );
    // Without a date or a repeated headline, a run of one shape is left to the extent.
    let texts = ["A", "Summary", "B", "Summary", "C", "Summary", "D"];
    let classes = [SHORT, NEAR, SHORT, NEAR, SHORT, NEAR, SHORT];
    let sizes = [1, 20, 1, 20, 1, 20, 1];
    assert!(!teaser_runs(&lex, &classes, &sizes, &texts).contains(&true));
}

#[test]
fn comments_header_closes_the_article() {
    let comments = Some(Family {
        kind: COMMENTS,
        weak: false,
        closes: false,
        byline: false,
    });
    let families = [None, None, comments, None];
    let classes = [GOOD, GOOD, CHROME, GOOD];
    let sizes = [80, 40, 2, 60];
    let texts = ["a", "b", "12 Comments", "c"];
    let mut weights: Vec<f64> = classes.iter().zip(&sizes).map(|(&c, &s)| weight(c, s)).collect();
    let end = close_article(&mut weights, &families, &classes, &sizes, &texts, &[false; 4], None);
    assert_eq!(end, 2);
    assert_eq!(weights, vec![80.0, 40.0, -120.0, 0.0]);
}

#[test]
fn menu_before_the_article_is_navigation() {
    let lex = lexicon();
    // (four items: a text whose article starts within its first three blocks keeps them as its headline)
    let texts = [
        "Home",
        "News",
        "Sport",
        "World",
        "A long paragraph.",
        "Another paragraph.",
        "Contact",
    ];
    let classes = [SHORT, SHORT, SHORT, SHORT, GOOD, GOOD, SHORT];
    let sizes = [1, 1, 1, 1, 60, 50, 1];
    let families = [None; 7];
    let page = article_page(&texts, &sizes, &classes, &families);
    let blocks = found_blocks(&lex, &page);
    assert_eq!(
        blocks,
        vec![
            (0, NAVIGATION, OUTSIDE_ARTICLE),
            (1, NAVIGATION, OUTSIDE_ARTICLE),
            (2, NAVIGATION, OUTSIDE_ARTICLE),
            (3, NAVIGATION, OUTSIDE_ARTICLE),
            (6, NAVIGATION, OUTSIDE_ARTICLE)
        ]
    );
    // An extractor's text: nothing without a rule.
    assert!(find_chrome(
        &lex,
        &Page {
            whole_page: false,
            kind: None,
            ..page
        }
    )
    .is_empty());
}

#[test]
fn neighbours_between_chrome() {
    let lex = lexicon();
    let share = Some(Family {
        kind: SOCIAL,
        weak: false,
        closes: false,
        byline: false,
    });
    let texts = ["Paragraph one.", "Share", "$4", "Share", "Paragraph two."];
    let classes = [GOOD, CHROME, SHORT, CHROME, GOOD];
    let sizes = [60, 1, 1, 1, 60];
    let families = [None, share, None, share, None];
    let page = article_page(&texts, &sizes, &classes, &families);
    let blocks = found_blocks(&lex, &page);
    assert_eq!(blocks, vec![(1, SOCIAL, RULE), (2, SOCIAL, CONTEXT), (3, SOCIAL, RULE)]);
}
