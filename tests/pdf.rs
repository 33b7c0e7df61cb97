//! The document builder, read back as a reader would: the text that comes out of the file, the
//! page it is on, the contents page's numbers, the outline, the metadata, and attached PDFs merged
//! where the body says they are. No database is needed.

mod support;

use chrono::NaiveDate;
use ohgov::pdf::{self, merge, Appendix, Badge, Block, Column, Cover, Document, Paragraph, Span, Table, Tone};
use support::pdf::{info, language, links, outline, page_count, page_mode, pages_text, pages_with, small_pdf, text};

fn document(blocks: Vec<Block>) -> Document {
    Document {
        title: "SEQOHS evidence pack".into(),
        author: "Northshire OH Service".into(),
        subject: "The evidence for the service's SEQOHS accreditation".into(),
        language: "en-GB".into(),
        created: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap().and_hms_opt(9, 30, 0).unwrap(),
        header: "Northshire OH Service".into(),
        footer: "Made by ohgov on 1 December 2026".into(),
        cover: None,
        contents: false,
        blocks,
        appendices: Vec::new(),
        closing: Vec::new(),
    }
}

fn heading(level: u8, text: &str, anchor: Option<&str>) -> Block {
    Block::Heading { level, text: text.into(), anchor: anchor.map(str::to_string) }
}

/// A paragraph of `words` distinct words, so each can be found.
fn prose(tag: &str, words: usize) -> Block {
    let text: Vec<String> = (0..words).map(|i| format!("{tag}w{i}")).collect();
    Paragraph::text(text.join(" "))
}

#[test]
fn pounds_dashes_curly_apostrophes_and_accented_names_come_back_exactly() {
    let bytes = pdf::render(&document(vec![
        heading(1, "Siân’s summary", None),
        Paragraph::text("£12.50 – Chloé’s and Siân’s"),
        Block::Facts(vec![("Owner".into(), vec![Span::Text("Chloé Ó Briain".into())])]),
    ]))
    .unwrap();
    let text = text(&bytes);
    assert!(text.contains("£12.50 – Chloé’s and Siân’s"), "{text}");
    assert!(text.contains("Siân’s summary"), "{text}");
    assert!(text.contains("Chloé Ó Briain"), "{text}");
}

#[test]
fn a_cover_a_contents_page_and_each_level_1_heading_on_a_page_of_its_own() {
    let mut doc = document(vec![
        heading(1, "Summary", None),
        prose("a", 30),
        heading(1, "Standards", None),
        prose("b", 30),
        heading(2, "Standard A1", None),
        prose("c", 30),
        heading(1, "Manifest", None),
        prose("d", 30),
    ]);
    doc.cover = Some(Cover {
        title: "SEQOHS evidence pack".into(),
        subtitle: "Northshire OH Service".into(),
        facts: vec![("Date".into(), vec![Span::Text("1 December 2026".into())])],
    });
    doc.contents = true;
    let bytes = pdf::render(&doc).unwrap();
    assert_eq!(page_count(&bytes), 5, "cover, contents, and three level 1 sections");
    let pages = pages_text(&bytes);
    assert!(pages[0].contains("SEQOHS evidence pack") && pages[0].contains("1 December 2026"));
    assert!(!pages[0].contains("Page 1 of 5"), "the cover has no footer");
    assert!(pages[1].contains("Contents"));
    for (n, page) in pages.iter().enumerate().skip(1) {
        assert!(page.contains(&format!("Page {} of 5", n + 1)), "page {}: {page}", n + 1);
        assert!(page.contains("Northshire OH Service") && page.contains("Made by ohgov on 1 December 2026"));
    }
    assert!(pages[3].contains("Standards") && pages[3].contains("Standard A1"));
}

#[test]
fn a_long_tables_header_row_is_repeated_on_every_page_it_runs_onto() {
    let rows: Vec<Vec<Vec<Span>>> = (1..=150)
        .map(|i| {
            vec![
                vec![Span::Text(format!("Evidence item {i}"))],
                vec![Span::Text("2026-03-01".into())],
                vec![Span::Mono(format!("{i:0>12}"))],
            ]
        })
        .collect();
    let table = Table {
        columns: vec![
            Column { title: "Document title".into(), width: 3.0 },
            Column { title: "Effective date".into(), width: 1.5 },
            Column { title: "SHA-256 (first 12)".into(), width: 1.5 },
        ],
        rows,
    };
    let bytes = pdf::render(&document(vec![heading(1, "Evidence index", None), Block::Table(table)])).unwrap();
    let pages = pages_text(&bytes);
    assert!(pages.len() >= 3, "150 rows run over several pages");
    for (n, page) in pages.iter().enumerate() {
        assert!(
            page.contains("Document title") && page.contains("SHA-256 (first 12)"),
            "page {} has the header row",
            n + 1
        );
    }
    let all = text(&bytes);
    for i in 1..=150 {
        let line = format!("Evidence item {i}\n");
        assert_eq!(all.matches(&line).count(), 1, "row {i} is drawn once, whole");
    }
}

/// A body with headings at many heights, so some fall near a page's foot.
fn long_body() -> Vec<Block> {
    let mut blocks = Vec::new();
    for section in 1..=3 {
        blocks.push(heading(1, &format!("Domain {section}"), Some(&format!("d{section}"))));
        for standard in 1..=7 {
            blocks.push(heading(2, &format!("Standard {section}.{standard}"), Some(&format!("s{section}-{standard}"))));
            blocks.push(prose(&format!("p{section}x{standard}"), 40 + standard * 23));
            if standard % 3 == 0 {
                blocks.push(heading(3, &format!("Findings {section}.{standard}"), None));
                blocks.push(prose(&format!("f{section}x{standard}"), 15));
            }
        }
    }
    blocks
}

#[test]
fn the_contents_page_numbers_are_the_pages_where_the_headings_are() {
    let mut doc = document(long_body());
    doc.contents = true;
    let bytes = pdf::render(&doc).unwrap();
    let pages = pages_text(&bytes);
    let contents: Vec<&str> = pages[0].lines().collect();
    let mut checked = 0;
    for block in &doc.blocks {
        let Block::Heading { level, text, .. } = block else { continue };
        if *level > 2 {
            assert!(!contents.contains(&text.as_str()), "level 3 headings are not in the contents");
            continue;
        }
        let at = contents.iter().position(|l| l == text).unwrap_or_else(|| panic!("{text} is on the contents page"));
        let number: usize = contents[at + 1].parse().unwrap_or_else(|_| panic!("a number follows {text}"));
        let first = pages.iter().skip(1).position(|p| p.lines().any(|l| l == text)).map(|i| i + 2);
        assert_eq!(Some(number), first, "{text}");
        checked += 1;
    }
    assert_eq!(checked, 3 + 21);

    let numbers: Vec<u32> = contents.iter().filter_map(|l| l.parse().ok()).collect();
    let contents_links: Vec<u32> = links(&bytes).into_iter().filter(|(on, _)| *on == 1).map(|(_, to)| to).collect();
    assert_eq!(contents_links, numbers, "each contents entry links to its page");
}

#[test]
fn no_page_ends_with_a_heading() {
    let doc = document(long_body());
    let headings: Vec<String> = doc
        .blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading { text, .. } => Some(text.clone()),
            _ => None,
        })
        .collect();
    let bytes = pdf::render(&doc).unwrap();
    let pages = pages_text(&bytes);
    assert!(pages.len() > 6);
    for (n, page) in pages.iter().enumerate() {
        let body: Vec<&str> = page
            .lines()
            .filter(|l| {
                !l.is_empty() && !l.starts_with("Page ") && *l != doc.header && *l != doc.title && *l != doc.footer
            })
            .collect();
        let last = body.last().copied().unwrap_or_default();
        assert!(!headings.iter().any(|h| h == last), "page {} ends with the heading {last}", n + 1);
    }
}

#[test]
fn the_outline_nests_headings_by_level_with_their_pages() {
    let bytes = pdf::render(&document(long_body())).unwrap();
    let entries = outline(&bytes);
    assert_eq!(entries.len(), 3 + 21 + 6);
    assert_eq!(entries[0].0, 0);
    assert_eq!(entries[0].1, "Domain 1");
    assert_eq!(entries[0].2, 1);
    assert_eq!((entries[1].0, entries[1].1.as_str()), (1, "Standard 1.1"));
    let findings = entries.iter().find(|e| e.1 == "Findings 1.3").unwrap();
    assert_eq!(findings.0, 2, "a level 3 heading sits under its level 2");
    let pages = pages_text(&bytes);
    for (_, title, page) in &entries {
        assert!(pages[*page as usize - 1].lines().any(|l| l == title), "{title} is on page {page}");
    }
    assert_eq!(page_mode(&bytes).as_deref(), Some("UseOutlines"));
}

#[test]
fn the_metadata_and_language_are_the_documents() {
    let mut doc = document(vec![heading(1, "Summary", None)]);
    doc.author = "Ynys Môn OH Service".into();
    let bytes = pdf::render(&doc).unwrap();
    let info = info(&bytes);
    assert_eq!(info["Title"], "SEQOHS evidence pack");
    assert_eq!(info["Author"], "Ynys Môn OH Service");
    assert_eq!(info["Subject"], "The evidence for the service's SEQOHS accreditation");
    assert_eq!(info["Producer"], "ohgov");
    assert!(info["CreationDate"].starts_with("D:20261201093000"), "{}", info["CreationDate"]);
    assert_eq!(language(&bytes).as_deref(), Some("en-GB"));
}

#[test]
fn merged_pdfs_are_where_page_of_says_and_bookmarked_under_their_standards() {
    let policy = merge::read(&small_pdf("Health surveillance policy", 3)).unwrap();
    let minutes = merge::read(&small_pdf("Governance minutes", 2)).unwrap();
    assert_eq!((policy.pages, minutes.pages), (3, 2));
    let mut doc = document(vec![
        heading(1, "Standards", None),
        heading(2, "A1 Business probity", Some("std-a1")),
        Paragraph::text("Policy document"),
        Block::Paragraph(Paragraph {
            spans: vec![
                Span::Text("Health surveillance policy, appendix p. ".into()),
                Span::PageOf("doc-policy".into()),
            ],
            muted: false,
        }),
        heading(2, "B2 Information governance", Some("std-b2")),
        Block::Paragraph(Paragraph {
            spans: vec![Span::Text("Governance minutes, appendix p. ".into()), Span::PageOf("doc-minutes".into())],
            muted: false,
        }),
        Block::Paragraph(Paragraph {
            spans: vec![Span::Text("Also the policy, appendix p. ".into()), Span::PageOf("doc-policy".into())],
            muted: false,
        }),
    ]);
    doc.appendices = vec![
        Appendix {
            title: "Health surveillance policy".into(),
            under: vec!["std-a1".into(), "std-b2".into()],
            anchor: "doc-policy".into(),
            pdf: policy,
        },
        Appendix {
            title: "Governance minutes".into(),
            under: vec!["std-b2".into()],
            anchor: "doc-minutes".into(),
            pdf: minutes,
        },
    ];
    let bytes = pdf::render(&doc).unwrap();
    assert_eq!(page_count(&bytes), 1 + 3 + 2);
    let pages = pages_text(&bytes);
    assert!(pages[0].contains("Health surveillance policy, appendix p. 2"), "{}", pages[0]);
    assert!(pages[0].contains("Governance minutes, appendix p. 5"), "{}", pages[0]);
    assert!(pages[0].contains("Also the policy, appendix p. 2"));
    assert!(pages[0].contains("Page 1 of 6"), "N counts the merged pages: {}", pages[0]);
    assert_eq!(pages_with(&bytes, "Health surveillance policy page 1"), vec![2]);
    assert_eq!(pages_with(&bytes, "Health surveillance policy page 3"), vec![4]);
    assert_eq!(pages_with(&bytes, "Governance minutes page 2"), vec![6]);

    assert_eq!(links(&bytes), vec![(1, 2), (1, 5), (1, 2)], "each appendix p. N links to its page");

    let entries = outline(&bytes);
    let expected: Vec<(usize, String, u32)> = vec![
        (0, "Standards".into(), 1),
        (1, "A1 Business probity".into(), 1),
        (2, "Health surveillance policy".into(), 2),
        (1, "B2 Information governance".into(), 1),
        (2, "Health surveillance policy".into(), 2),
        (2, "Governance minutes".into(), 5),
    ];
    assert_eq!(entries, expected);
}

#[test]
fn badges_carry_their_words_and_charts_their_labels() {
    let chart = pdf::chart::bars("Staff by discipline", None, &[("Nurses", 6.0), ("Doctors", 2.0)], None);
    let bytes = pdf::render(&document(vec![
        heading(1, "Summary", None),
        Block::Paragraph(Paragraph {
            spans: vec![
                Span::Text("A1 ".into()),
                Span::Badge(Badge { text: "Met".into(), tone: Tone::Good }),
                Span::Text(" B2 ".into()),
                Span::Badge(Badge { text: "Not met".into(), tone: Tone::Bad }),
            ],
            muted: false,
        }),
        Block::Chart(pdf::Chart { kind: pdf::ChartKind::Bar, drawing: chart }),
    ]))
    .unwrap();
    let text = text(&bytes);
    assert!(text.contains("A1 Met B2 Not met"), "{text}");
    for words in ["Nurses", "Doctors", "Staff by discipline: Nurses 6 and Doctors 2"] {
        assert!(text.contains(words), "{words} in {text}");
    }
}

#[test]
fn an_unreadable_attachment_is_refused_with_the_reason_in_words() {
    let random: Vec<u8> = (0..2000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let refusal = merge::read(&random).unwrap_err();
    assert!(matches!(refusal, merge::Unreadable::Damaged(_)));
    assert!(refusal.to_string().starts_with("it could not be read as a PDF"), "{refusal}");

    let mut encrypted = lopdf::Document::load_mem(&small_pdf("Secret", 1)).unwrap();
    let encrypt = encrypted.add_object(lopdf::Dictionary::from_iter(vec![
        ("Filter", lopdf::Object::Name(b"Standard".to_vec())),
        ("V", 1.into()),
        ("R", 2.into()),
        ("O", lopdf::Object::string_literal(vec![7u8; 32])),
        ("U", lopdf::Object::string_literal(vec![9u8; 32])),
        ("P", (-44).into()),
    ]));
    encrypted.trailer.set("Encrypt", encrypt);
    encrypted
        .trailer
        .set("ID", vec![lopdf::Object::string_literal(vec![1u8; 16]), lopdf::Object::string_literal(vec![1u8; 16])]);
    let mut bytes = Vec::new();
    encrypted.save_to(&mut bytes).unwrap();
    let refusal = merge::read(&bytes).unwrap_err();
    assert_eq!(refusal, merge::Unreadable::Encrypted);
    assert_eq!(refusal.to_string(), "it is encrypted");

    let truncated = small_pdf("Cut short", 2);
    assert!(merge::read(&truncated[..truncated.len() / 3]).is_err(), "a file cut short is refused");
}

#[test]
fn a_pdf_whose_page_tree_is_broken_is_damaged_and_one_without_pages_has_none() {
    let mut doc = lopdf::Document::load_mem(&small_pdf("Broken", 2)).unwrap();
    let pages_id = doc.catalog().unwrap().get(b"Pages").unwrap().as_reference().unwrap();
    doc.get_dictionary_mut(pages_id).unwrap().set("Kids", vec![lopdf::Object::Reference((9999, 0))]);
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes).unwrap();
    let refusal = merge::read(&bytes).unwrap_err();
    assert_eq!(refusal, merge::Unreadable::Damaged("its page tree is broken".into()));
    assert_eq!(refusal.to_string(), "it could not be read as a PDF (its page tree is broken)");

    let mut empty = lopdf::Document::load_mem(&small_pdf("Empty", 1)).unwrap();
    let pages_id = empty.catalog().unwrap().get(b"Pages").unwrap().as_reference().unwrap();
    let pages = empty.get_dictionary_mut(pages_id).unwrap();
    pages.set("Kids", Vec::<lopdf::Object>::new());
    pages.set("Count", 0);
    let mut bytes = Vec::new();
    empty.save_to(&mut bytes).unwrap();
    assert_eq!(merge::read(&bytes).unwrap_err(), merge::Unreadable::NoPages);
}

#[test]
fn a_table_row_taller_than_a_page_runs_on_with_the_header_repeated() {
    let long: Vec<String> = (0..2500).map(|i| format!("n{i}")).collect();
    let table = Table {
        columns: vec![
            Column { title: "Standard".into(), width: 1.0 },
            Column { title: "Narrative".into(), width: 4.0 },
        ],
        rows: vec![
            vec![vec![Span::Text("A1".into())], vec![Span::Text("Short".into())]],
            vec![vec![Span::Text("A2".into())], vec![Span::Text(long.join(" "))]],
            vec![vec![Span::Text("A3".into())], vec![Span::Text("After".into())]],
        ],
    };
    let bytes = pdf::render(&document(vec![Block::Table(table)])).unwrap();
    let pages = pages_text(&bytes);
    assert!(pages.len() >= 2);
    for page in &pages {
        assert!(page.contains("Standard") && page.contains("Narrative"));
    }
    let all = text(&bytes);
    let words: Vec<&str> =
        all.split_whitespace().filter(|w| w.starts_with('n') && w[1..].parse::<u32>().is_ok()).collect();
    assert_eq!(words, long.iter().map(String::as_str).collect::<Vec<_>>(), "every word, once, in order");
    assert!(pages.last().unwrap().contains("After"));
}

#[test]
fn the_embedded_fonts_hold_only_the_glyphs_drawn_so_a_short_document_is_small() {
    let bytes = pdf::render(&document(vec![
        heading(1, "Summary", None),
        Paragraph::text("£12.50 – Chloé’s and Siân’s"),
        Block::Paragraph(Paragraph { spans: vec![Span::Mono("9f86d081884c".into())], muted: false }),
    ]))
    .unwrap();
    assert!(bytes.len() < 120_000, "{} bytes: the three faces in full would be about 900 KB", bytes.len());
    assert!(text(&bytes).contains("£12.50 – Chloé’s and Siân’s\n9f86d081884c"));
}

#[test]
fn a_table_with_a_header_taller_than_a_page_still_ends() {
    let title: Vec<String> = (0..3000).map(|i| format!("h{i}")).collect();
    let table = Table {
        columns: vec![Column { title: title.join(" "), width: 1.0 }],
        rows: vec![vec![vec![Span::Text((0..40).map(|i| format!("c{i}")).collect::<Vec<_>>().join(" "))]]],
    };
    let bytes = pdf::render(&document(vec![Block::Table(table), Paragraph::text("After the table")])).unwrap();
    assert!(text(&bytes).contains("After the table"));
}
