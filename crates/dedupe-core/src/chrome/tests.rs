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
        shown_template: false,
        repeats: None,
    }
}

/// A family of a kind that neither only weighs, nor closes the article, nor is a byline.
fn family(kind: u8) -> Option<Family> {
    Some(Family {
        kind,
        weak: false,
        closes: false,
        byline: false,
    })
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
    let comments = family(COMMENTS);
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
fn a_short_header_over_loose_prose_closes_past_half_of_the_prose() {
    let related = Some(Family {
        closes: true,
        ..family(RELATED).unwrap()
    });
    // 120 words of article, the header, then two summaries under a title each, one longer than the article's
    // paragraphs (so that `short_after` does not close it): 0.52 of the prose lies above the header.
    let families = [None, None, related, None, None, None, None];
    let classes = [GOOD, GOOD, CHROME, NEAR, GOOD, NEAR, GOOD];
    let sizes = [60, 60, 2, 8, 70, 8, 40];
    let texts = ["a", "b", "Recent Posts", "t1", "s1", "t2", "s2"];
    let close = |classes: &[u8], texts: &[&str]| {
        let mut weights: Vec<f64> = classes.iter().zip(&sizes).map(|(&c, &s)| weight(c, s)).collect();
        close_article(&mut weights, &families, classes, &sizes, texts, &[false; 7], None)
    };
    assert_eq!(close(&classes, &texts), 2);
    // Two paragraphs in a row below it: the article goes on after a box.
    let going_on = [GOOD, GOOD, CHROME, NEAR, GOOD, GOOD, GOOD];
    assert_eq!(close(&going_on, &texts), 7);
    // A header the page holds twice is a link.
    let twice = ["a", "b", "Recent Posts", "t1", "s1", "t2", "Recent Posts"];
    assert_eq!(close(&classes, &twice), 7);
    let closing = [false, false, true, false, false, false, false];
    let times = counts(&texts);
    assert_eq!(loose_after(&closing, &classes, &sizes, &texts, &times), closing);
    let mut long = sizes;
    long[2] = LOOSE_HEADER_WORDS + 1;
    assert!(!loose_after(&closing, &classes, &long, &texts, &times).contains(&true));
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
    // (four short lines and no line a rule names: the page shows no template of its own, and is known to)
    let page = Page {
        shown_template: true,
        ..article_page(&texts, &sizes, &classes, &families)
    };
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
            shown_template: false,
            kind: None,
            ..page
        }
    )
    .is_empty());
}

#[test]
fn neighbours_between_chrome() {
    let lex = lexicon();
    let share = family(SOCIAL);
    let texts = ["Paragraph one.", "Share", "$4", "Share", "Paragraph two."];
    let classes = [GOOD, CHROME, SHORT, CHROME, GOOD];
    let sizes = [60, 1, 1, 1, 60];
    let families = [None, share, None, share, None];
    let page = article_page(&texts, &sizes, &classes, &families);
    let blocks = found_blocks(&lex, &page);
    assert_eq!(blocks, vec![(1, SOCIAL, RULE), (2, SOCIAL, CONTEXT), (3, SOCIAL, RULE)]);
}

#[test]
fn text_without_a_template_loses_nothing_outside_its_article() {
    let lex = lexicon();
    // A README's title, its short lines and a paragraph: no line a rule names, no menu, no trail of sections.
    let texts = [
        "dedupe",
        "Usage",
        "Run it on a folder of text.",
        "A long paragraph.",
        "Licence",
        "MIT",
    ];
    let classes = [SHORT, SHORT, NEAR, GOOD, SHORT, SHORT];
    let sizes = [1, 1, 6, 60, 1, 1];
    let families = [None; 6];
    let page = article_page(&texts, &sizes, &classes, &families);
    assert!(!shows_template(&lex, &families, &sizes, &texts));
    assert!(found_blocks(&lex, &page).is_empty());
    // The same text once a line reads as the site's (a rule names it), or is known to: what lies outside goes.
    let named = [None, None, None, None, None, family(LEGAL)];
    let page = article_page(&texts, &sizes, &classes, &named);
    assert!(shows_template(&lex, &named, &sizes, &texts));
    assert!(!found_blocks(&lex, &page).is_empty());
    let page = Page {
        shown_template: true,
        ..article_page(&texts, &sizes, &classes, &families)
    };
    assert!(!found_blocks(&lex, &page).is_empty());
}

#[test]
fn a_menu_or_a_trail_shows_a_template() {
    let lex = lexicon();
    let menu = [
        "Home",
        "News",
        "Sport",
        "World",
        "Business",
        "Tech",
        "Arts",
        "Travel",
        "A long paragraph.",
    ];
    let sizes = [1, 1, 1, 1, 1, 1, 1, 1, 60];
    let none = [None; 9];
    assert!(shows_template(&lex, &none, &sizes, &menu));
    // Seven short lines are a list, not yet a menu; nor are lines that end a sentence.
    assert!(!shows_template(&lex, &none[1..], &sizes[1..], &menu[1..]));
    let sentences = menu.map(|t| if t.len() < 10 { "Yes." } else { t });
    assert!(!shows_template(&lex, &none, &sizes, &sentences));
    let trail = ["首页 > 中国之声 > 新闻和报纸摘要", "A long paragraph."];
    assert!(shows_template(&lex, &none[..2], &[1, 60], &trail));
}

#[test]
fn trails_of_sections() {
    let lex = lexicon();
    for trail in [
        "Home > News > Politics",
        "首页 > 新闻 > 国内",
        "Docs / Guide / Install",
        "A | B | C",
    ] {
        assert!(lex.bar(trail, false, TRAIL_LINKS), "{trail}");
    }
    for other in ["Home > News", "Home>News>Politics", "We went > they came > all left."] {
        assert!(!lex.bar(other, false, TRAIL_LINKS), "{other}");
    }
}

#[test]
fn parts_of_a_title() {
    assert_eq!(
        title_parts("Best Tax Software | Accounting.com"),
        vec!["best tax software", "accounting.com"]
    );
    assert_eq!(
        title_parts("Une solution  non violente - 07.12.2017 - LA NACION"),
        vec!["une solution non violente", "07.12.2017", "la nacion"]
    );
    assert_eq!(
        title_parts("人工智能迈上新台阶_科技_腾讯网"),
        vec!["人工智能迈上新台阶", "科技", "腾讯网"]
    );
    assert_eq!(title_parts("她跟学生成长--大河网"), vec!["她跟学生成长", "大河网"]);
    // A hyphen, a colon or a slash inside the headline, without a space on each side, joins nothing.
    assert_eq!(
        title_parts("Day 1-3: Tokyo and A/B tests"),
        vec!["day 1-3: tokyo and a/b tests"]
    );
    assert_eq!(title_parts("| Home |"), vec!["home"]);
}

#[test]
fn the_headline_under_the_title() {
    let page = "Why the levee held | River News\nHome\nA teaser for another story, read today.\nWhy  the levee held";
    let texts: Vec<&str> = page
        .lines()
        .chain(["A long paragraph.", "Another paragraph."])
        .collect();
    let sizes = [6, 1, 7, 4, 60, 50];
    let prose = [0, 0, 0, 0, 60, 50];
    assert_eq!(headline(&texts, &sizes, |k| prose[k]), Some(3));
    // Prose before it, over HEADLINE_PROSE of the page's and a story's (paragraphs in a row): the headline is not
    // where the article starts.
    assert_eq!(headline(&texts, &sizes, |k| [0, 5, 7, 0, 60, 50][k]), None);
    assert_eq!(headline(&texts, &sizes, |k| [0, 0, 5, 0, 60, 50][k]), Some(3));
    // More, in short paragraphs apart from each other (a menu's descriptions), up to MENU_PROSE of the page's.
    let menu = "T a b | S\nItem one\nA short description.\nItem two\nAnother one.\nT a b";
    let texts_menu: Vec<&str> = menu.lines().chain(["A long paragraph."]).collect();
    let sizes_menu = [4, 2, 20, 2, 20, 3, 100];
    assert_eq!(
        headline(&texts_menu, &sizes_menu, |k| [0, 0, 20, 0, 20, 0, 100][k]),
        Some(5)
    );
    // ...not two paragraphs one after the other (a story's), nor one longer than MENU_PARAGRAPH_WORDS, nor more.
    assert_eq!(
        headline(&texts_menu, &sizes_menu, |k| [0, 0, 10, 10, 0, 0, 100][k]),
        None
    );
    assert_eq!(
        headline(&texts_menu, &sizes_menu, |k| [0, 0, 61, 0, 0, 0, 200][k]),
        None
    );
    assert_eq!(
        headline(&texts_menu, &sizes_menu, |k| [0, 0, 30, 0, 30, 0, 100][k]),
        None
    );
    // No prose at all: nothing to say where an article starts.
    assert_eq!(headline(&texts, &sizes, |k| [0; 6][k]), None);
    // A first line of one part is a text's own heading; a long one is no title.
    let mut own = texts.clone();
    own[0] = "Why the levee held";
    assert_eq!(headline(&own, &sizes, |k| prose[k]), None);
    assert_eq!(
        headline(&texts, &[TITLE_MAX_WORDS + 1, 1, 7, 4, 60, 50], |k| prose[k]),
        None
    );
    // The longest part must stand alone and weigh three words.
    assert_eq!(headline(&texts, &[6, 1, 7, 2, 60, 50], |k| prose[k]), None);
    let mut quoted = texts.clone();
    quoted[3] = "Why the levee held, and what comes next";
    assert_eq!(headline(&quoted, &sizes, |k| prose[k]), None);
}

#[test]
fn what_stands_before_the_headline_is_the_sites() {
    let lex = lexicon();
    // Three lines and the headline: an article whose first inside block is within its first three keeps its lead,
    // unless the page's title says where the headline is.
    let page = "Why the levee held | River News\nSign in\nWhy the levee held\nA long paragraph.\nAnother paragraph.";
    let texts: Vec<&str> = page.lines().collect();
    let classes = [SHORT, SHORT, SHORT, GOOD, GOOD];
    let sizes = [6, 2, 4, 60, 50];
    let families = [None; 5];
    let mut page = article_page(&texts, &sizes, &classes, &families);
    page.shown_template = true;
    let cut = vec![(0, NAVIGATION, OUTSIDE_ARTICLE), (1, NAVIGATION, OUTSIDE_ARTICLE)];
    assert_eq!(found_blocks(&lex, &page), cut);
    // Without the site's name in the first line, the lead stays.
    let mut plain = texts.clone();
    plain[0] = "Why the levee held";
    assert!(found_blocks(&lex, &Page { texts: &plain, ..page }).is_empty());
    // An extractor's text has no title line: nothing without a rule.
    let extracted = Page {
        whole_page: false,
        kind: None,
        ..page
    };
    assert!(found_blocks(&lex, &extracted).is_empty());
}

#[test]
fn of_two_parts_as_long_the_first_is_the_headline() {
    let texts = [
        "a for that : River News",
        "River News",
        "a for that",
        "A long paragraph.",
    ];
    let sizes = [5, 2, 3, 60];
    let prose = [0, 0, 0, 60];
    assert_eq!(headline(&texts, &sizes, |k| prose[k]), Some(2));
}
