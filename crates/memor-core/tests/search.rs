//! Tests of `memor_core::search`, the matcher behind memor's
//! `Session.search(query, use_regex, case_sensitive)`.
//!
//! Every expected value in the tables below was computed by running CPython 3.11.7's `re`
//! (the Python memor 1.4 runs on): `re.compile(query if use_regex else re.escape(query),
//! 0 if case_sensitive else re.IGNORECASE).search(text)`, or the exception `re.compile` raised
//! (class and `str(exception)`). None is hand-written.

use std::path::PathBuf;

use memor_core::search::{Query, SearchErrorKind};
use serde_json::Value;

/// What Python answered.
#[derive(Clone, Copy, Debug)]
enum Outcome {
    /// `pattern.search(text)` found a match, or not.
    Match(bool),
    /// The ids (in [`TEXTS`]) of the texts on which `pattern.search(text)` found a match.
    Texts(&'static [usize]),
    /// `re.compile` raised: exception class and message.
    Error(&'static str, &'static str),
}

fn check(
    query: &str,
    use_regex: bool,
    case_sensitive: bool,
    text: &str,
    expected: Outcome,
) -> Result<(), String> {
    let compiled = Query::new(query, use_regex, case_sensitive);
    let label = format!("query {query:?} (use_regex={use_regex}, case_sensitive={case_sensitive})");
    match (compiled, expected) {
        (Ok(q), Outcome::Match(want)) => match q.try_is_match(text) {
            Ok(got) if got == want => Ok(()),
            Ok(got) => Err(format!(
                "{label} on {text:?}: got {got}, Python says {want}"
            )),
            Err(e) => Err(format!("{label} on {text:?}: {e}")),
        },
        (Err(e), Outcome::Error(class, message)) => {
            if e.python_class() == Some(class) && e.message() == message {
                Ok(())
            } else {
                Err(format!(
                    "{label}: got {:?} {:?}, Python raises {class} {message:?}",
                    e.python_class(),
                    e.message()
                ))
            }
        }
        (Ok(_), Outcome::Error(class, message)) => Err(format!(
            "{label}: compiled, Python raises {class} {message:?}"
        )),
        (Err(e), _) => Err(format!("{label}: {e:?}, Python compiles it")),
        (Ok(_), Outcome::Texts(_)) => Err(format!("{label}: bad table entry")),
    }
}

fn report(name: &str, failures: &[String], total: usize) {
    for failure in failures.iter().take(50) {
        eprintln!("{failure}");
    }
    assert!(
        failures.is_empty(),
        "{name}: {} of {total} checks failed",
        failures.len()
    );
}

/// The distinct STRING renders of the messages of the fixture sessions (extracted with memor 1.4:
/// `[m.render() for m in Session(file_path=...).messages]`).
const TEXTS: &[&str] = &[
    "שלום شكرا ذاكرة 안녕하세요 submarine smörgåsbord ممنون ひらがな",
    "I am sharing a record of a previous discussion. Use this information to provide a consistent and relevant answer to my next query.\nPrompt: island turtle 🤖 🏳\u{fe0f}\u{200d}🌈𝄞 nonsense basil",
    "tiger world 😀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢™ work famous",
    "Painter semantic invalid browser disconnect basil light slowly context?",
    "World hand replica semantic index semantic baker cashew classes grace agreement",
    "ответ ذاكرة γειά привет شكرا café grace",
    "",
    "assistant> Mango farmer tensor model started replay dancer checkpoint melody",
    "He said \"honor falcon\" and 'loud' — “wrench sentence” ‘darkness’ `peach` it's",
    "Sentence tiger window packet enzyme nation overflow darkness mango mango?",
    "[assistant] <note><to>problem</to><body>amplitude replica beauty</body></note>",
    "[assistant] Complex portable garlic doctor prepare rewrite falcon clever session?",
    "He said \"baker started\" and 'grammar' — “undone sailor” ‘underway’ `anchor` it's",
    "स\u{94d}म\u{943}त\u{93f} 모델 回答 coffee ممنون привет 你好",
    "नमस\u{94d}त\u{947} 你好 こんにちは cashew μοντέλο",
    "Prompt: closure پرسش 你好 کتاب",
    "Submarine velocity woman ocean plum year cortex orange calm garlic!",
    "system> He said \"checkpoint complex\" and 'tomato' — “famous calm” ‘cashew’ `nation` it's",
    "I am sharing a record of a previous discussion. Use this information to provide a consistent and relevant answer to my next query.\nPrompt: <note><to>doctor</to><body>blanket prepare archive</body></note>",
    "assistant> résumé こんにちは Äpfel สว\u{e31}สด\u{e35} модель elephant",
    "I'm providing you with a history of a previous conversation. Please consider this context when responding to my new question.\nHand problem readable carrot browser penguin liberty",
    "He said \"disconnect complex\" and 'darkness' — “lightning station” ‘castle’ `lantern` it's",
    "μοντέλο underline ممنون Äpfel شكرا",
    "模型 کتاب started こんにちは پرسش नमस\u{94d}त\u{947}",
    "Melody mislead grammar started accent liberty painter painter function?",
    "I am sharing a record of a previous discussion. Use this information to provide a consistent and relevant answer to my next query.\nPrompt: <note><to>reading</to><body>cortex farmer falcon</body></note>",
    "Context chapter painting started grammar lexicon liberty vector comet midnight...",
    "user> модель 안녕하세요 Äpfel started مرحبا café 記憶",
    "Banana world castle chapter vanilla window callback lexicon doctor liberty vector.",
    "Prompt: Table world baker started partition gentle passive archive lightning grape.",
    "I am sharing a record of a previous discussion. Use this information to provide a consistent and relevant answer to my next query.\nPrompt: He said \"grace volume\" and 'replay' — “parser semantic” ‘humor’ `amplitude` it's",
    "<note><to>prompt</to><body>complex liberty time</body></note>",
    "I'm providing you with a history of a previous conversation. Please consider this context when responding to my new question.\n<note><to>tomato</to><body>crimson coffee friction</body></note>",
    "I am sharing a record of a previous discussion. Use this information to provide a consistent and relevant answer to my next query.\nPrompt: Partition ocean agreement classes rewrite garden walnut wrench?",
    "user> He said \"molecule chapter\" and 'turtle' — “elephant boxes” ‘cortex’ `classes` it's",
    "Nation mirror calm dancer packet squirrel year coffee archive",
    "I am sharing a record of a previous discussion. Use this information to provide a consistent and relevant answer to my next query.\nPrompt: He said \"hand farmer\" and 'blanket' — “painted ocean” ‘model’ `work` it's",
    "clever browser 🦀 ✅😀 velocity golden",
    "He said \"dark window\" and 'nebula' — “nation underway” ‘archive’ `tomato` it's",
    "[user] He said \"friction amplitude\" and 'woman' — “time winter” ‘tiger’ `sunset` it's",
    "otter mislead 🏳\u{fe0f}\u{200d}🌈 ∑𝔘𝔫𝔦𝔠𝔬𝔡𝔢 squirrel sailor",
    "I'm providing you with a history of a previous conversation. Please consider this context when responding to my new question.\nHe said \"pressure sunset\" and 'translate' — “vanilla sailor” ‘nonsense’ `replay` it's",
    "molecule boxes\nparser river agreement\r\ncarrot\rdoctor reading\n\n",
    "I'm providing you with a history of a previous conversation. Please consider this context when responding to my new question.\ngentle prepare ∑ 🤖🧑\u{200d}🚀 prompt tensor",
    "user> River walnut winter river portable morning wisdom basil comet basil problem...",
    "<note><to>garlic</to><body>autumn squirrel agreement</body></note>",
    "<note><to>darkness</to><body>hand time tomato</body></note>",
    "façade مرحبا résumé reading سلام",
    "user> vector underway 🌍 ™🤖 work unusual",
    "Prompt: Boxes prompt nonsense light darkness replica molecule time dangerous boxes gentle island beauty tiger...",
    "He said \"garlic garlic\" and 'wrench' — “falcon disconnect” ‘cortex’ `constant` it's",
    "[user] He said \"semantic year\" and 'packet' — “island underline” ‘walnut’ `gentle` it's",
    "Day falcon mango purple theater prompt nebula honor wrench child undone agreement replica replay",
    "[user] He said \"rewrite transport\" and 'squirrel' — “disagree classes” ‘chapter’ `liberty` it's",
    "Peach time orange case liberty melody boxes child tomato?",
    "[user] 안녕하세요 کتاب کتاب castle",
    "dark grape 🇮🇷 🇮🇷🔥 question table",
    "[user] مدل 模型 모델 melody",
    "user> Checkpoint wrench overflow chapter reading grape replay problem molecule blanket castle comet transport",
    "I'm providing you with a history of a previous conversation. Please consider this context when responding to my new question.\nHe said \"gentle child\" and 'theater' — “clever entropy” ‘famous’ `river` it's",
    "Honor transport penguin castle world turtle prompt year.",
    "[user] <note><to>readable</to><body>child time reference</body></note>",
    "Prompt: elephant rocket 🤖 🌍👩\u{200d}💻 photon entropy",
    "system> <note><to>entropy</to><body>undone world vector</body></note>",
    "Underline calm falcon gentle partition plum baker autumn undone classes lightning cortex work liberty",
    "work elephant\nclosure mango crimson\r\nfriction\rtunnel basil\n\n",
    "user> Table case checkpoint complex hand year hand beauty.",
    "Vanilla prompt falcon friction golden morning function winter!",
    "Underline child number context grape mint government comet underline",
    "Tomato amplitude server baker painter undone basil garden winter table?",
    "cortex index\nbrowser closure tunnel\r\ncomplex\rcoffee friction\n\n",
    "He said \"window gentle\" and 'buffer' — “sentence disconnect” ‘slowly’ `mint` it's",
    "assistant> Darkness tiger velocity checkpoint vanilla readable!",
    "I'm providing you with a history of a previous conversation. Please consider this context when responding to my new question.\ntransport light ✅ 🇮🇷∑ hand replay",
    "system> модель turtle résumé модель",
    "記憶 Äpfel ممنون سلام wrench مدل",
    "I am sharing a record of a previous discussion. Use this information to provide a consistent and relevant answer to my next query.\nPrompt: Reference replica honor semantic sailor cashew tensor painted grape semantic volume sentence...",
    "안녕하세요 slowly 你好 ひらがな",
    "Walnut gentle year station vector liberty mirror problem mirror grape case problem nebula!;שלום مرحبا tensor 안녕하세요 안녕하세요 façade;",
    ">> 模型 記憶 résumé こんにちは สว\u{e31}สด\u{e35} started پرسش!",
    "Here is the context from a prior conversation. Please learn from this information and use it to provide a thoughtful and context-aware response to my next questions.\nPrompt: <note><to>lexicon</to><body>blanket cortex underline</body></note>\nResponse: Squirrel vanilla liberty purple complex coffee misread basil invalid parser penguin clever.",
    "Response: He said \"callback otter\" and 'complex' — “painter dancer” ‘nebula’ `prepare` it's",
    "He said \"vanilla winter\" and 'unusual' — “farmer purple” ‘amplitude’ `entropy` it's",
    "<note><to>otter</to><body>squirrel sentence buffer</body></note>",
    "Anchor accent accent world painting partition buffer translate clever chapter...",
    "<note><to>cashew</to><body>mint classes painted</body></note>",
    "<note><to>day</to><body>vector vector vanilla</body></note>",
    "translate < buffer and dark > 3",
    "[user] <note><to>packet</to><body>clever wisdom buffer</body></note>",
    "nation sunset 🔥 🌍™ constant enzyme",
    "I am sharing a record of a previous discussion. Use this information to provide a consistent and relevant answer to my next query.\nPrompt: こんにちは स\u{94d}म\u{943}त\u{93f} mislead ذاكرة модель",
    "Molecule passive dark ocean vanilla question rewrite",
    "gentle painted 🔥 🔥∑ context squirrel",
    "Prompt: Schema slowly semantic sailor penguin river tensor orange?",
    "[assistant] underway tomato 🔥 🧑\u{200d}🚀🇮🇷 calm vanilla",
    "user> crimson famous 🇮🇷 𝄞😀 clever table",
    "I'm providing you with a history of a previous conversation. Please consider this context when responding to my new question.\nproblem accent 🌍 👍🏽🦀 calm friction",
    "Prompt: nebula garden 🦀 𝔘𝔫𝔦𝔠𝔬𝔡𝔢∑ callback parser",
    "semantic doctor 𝄞 ✅🤖 context session",
    "ответ 对话 résumé morning ذاكرة",
    "Nebula humor museum accent vanilla golden dangerous prompt mirror browser river semantic shovel grammar...",
    "привет smörgåsbord модель ذاكرة پرسش ocean",
    "Transport shovel banana passive liberty partition translate boxes tunnel time coffee year?",
    "submarine world\nyear year server\r\nmodel\rfunction mislead\n\n",
    "dancer clever ✅ ∑👍🏽 beauty melody",
    "user> <note><to>nation</to><body>closure sailor turtle</body></note>",
];

/// Every `search` query of the fixtures, with the ids (in [`TEXTS`]) of the texts on which Python's
/// `re.compile(query if use_regex else re.escape(query), flags).search(text)` finds a match
/// (computed with CPython 3.11.7), or the error `re.compile` raises.
const FIXTURE_QUERIES: &[(&str, bool, bool, Outcome)] = &[
    ("absent", false, false, Outcome::Texts(&[])),
    ("ABSENT", false, false, Outcome::Texts(&[])),
    ("ABSENT", false, true, Outcome::Texts(&[])),
    ("absent", false, true, Outcome::Texts(&[])),
    (
        ".",
        false,
        false,
        Outcome::Texts(&[
            1, 18, 20, 25, 26, 28, 29, 30, 32, 33, 36, 41, 43, 44, 49, 59, 60, 66, 73, 76, 80, 84,
            90, 96, 100,
        ]),
    ),
    (
        "(?:ing|ed)\\b",
        true,
        false,
        Outcome::Texts(&[
            1, 7, 12, 18, 20, 21, 23, 24, 25, 26, 27, 29, 30, 32, 33, 36, 41, 42, 43, 44, 47, 58,
            59, 64, 67, 73, 76, 79, 84, 85, 90, 92, 96, 99,
        ]),
    ),
    (
        "^[A-Z][a-z]+",
        true,
        true,
        Outcome::Texts(&[
            3, 4, 8, 9, 12, 15, 16, 21, 24, 26, 28, 29, 35, 38, 49, 50, 52, 54, 60, 62, 64, 67, 68,
            69, 71, 78, 80, 81, 82, 84, 91, 93, 97, 100, 102,
        ]),
    ),
    (
        "",
        false,
        false,
        Outcome::Texts(&[
            0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23,
            24, 25, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45,
            46, 47, 48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 66, 67,
            68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 79, 80, 81, 82, 83, 84, 85, 86, 87, 88, 89,
            90, 91, 92, 93, 94, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105,
        ]),
    ),
    (
        "[a-",
        true,
        false,
        Outcome::Error("re.error", "unterminated character set at position 0"),
    ),
    ("submarine", false, false, Outcome::Texts(&[0, 16, 103])),
    ("SUBMARINE", false, false, Outcome::Texts(&[0, 16, 103])),
    ("SUBMARINE", false, true, Outcome::Texts(&[])),
    ("submarine", false, true, Outcome::Texts(&[0, 103])),
    (
        "\n",
        false,
        false,
        Outcome::Texts(&[
            1, 18, 20, 25, 30, 32, 33, 36, 41, 42, 43, 59, 65, 70, 73, 76, 80, 90, 96, 103,
        ]),
    ),
    (
        "^[A-Z]",
        true,
        false,
        Outcome::Texts(&[
            1, 2, 3, 4, 7, 8, 9, 12, 15, 16, 17, 18, 19, 20, 21, 24, 25, 26, 27, 28, 29, 30, 32,
            33, 34, 35, 36, 37, 38, 40, 41, 42, 43, 44, 47, 48, 49, 50, 52, 54, 56, 58, 59, 60, 62,
            63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 76, 78, 80, 81, 82, 84, 87, 89, 90, 91,
            92, 93, 95, 96, 97, 98, 100, 102, 103, 104, 105,
        ]),
    ),
    (
        "\\b[a-z]{5}\\b",
        true,
        true,
        Outcome::Texts(&[
            1, 2, 3, 4, 5, 7, 8, 9, 12, 16, 18, 25, 26, 28, 29, 30, 33, 34, 36, 39, 40, 42, 44, 49,
            52, 54, 56, 58, 59, 60, 61, 63, 64, 65, 68, 69, 70, 72, 73, 76, 78, 80, 81, 83, 84, 90,
            91, 93, 95, 100, 101, 102, 103,
        ]),
    ),
    ("ひらがな", false, false, Outcome::Texts(&[0, 77])),
    (
        "this",
        false,
        false,
        Outcome::Texts(&[
            1, 18, 20, 25, 30, 32, 33, 36, 41, 43, 59, 73, 76, 80, 90, 96,
        ]),
    ),
    (
        "THIS",
        false,
        false,
        Outcome::Texts(&[
            1, 18, 20, 25, 30, 32, 33, 36, 41, 43, 59, 73, 76, 80, 90, 96,
        ]),
    ),
    ("THIS", false, true, Outcome::Texts(&[])),
    (
        "this",
        false,
        true,
        Outcome::Texts(&[
            1, 18, 20, 25, 30, 32, 33, 36, 41, 43, 59, 73, 76, 80, 90, 96,
        ]),
    ),
    ("𝔘𝔫𝔦𝔠𝔬𝔡𝔢™", false, false, Outcome::Texts(&[2])),
    ("loud", false, false, Outcome::Texts(&[8])),
    ("LOUD", false, false, Outcome::Texts(&[8])),
    ("LOUD", false, true, Outcome::Texts(&[])),
    ("loud", false, true, Outcome::Texts(&[8])),
    ("*", false, false, Outcome::Texts(&[])),
    ("\\d{2,}", true, false, Outcome::Texts(&[])),
    (
        "(",
        true,
        false,
        Outcome::Error(
            "re.error",
            "missing ), unterminated subpattern at position 0",
        ),
    ),
    ("ОТВЕТ", false, false, Outcome::Texts(&[5, 99])),
    ("plum", false, false, Outcome::Texts(&[16, 64])),
    ("PLUM", false, false, Outcome::Texts(&[16, 64])),
    ("PLUM", false, true, Outcome::Texts(&[])),
    ("plum", false, true, Outcome::Texts(&[16, 64])),
    (
        "a{2,1}",
        true,
        false,
        Outcome::Error(
            "re.error",
            "min repeat greater than max repeat at position 2",
        ),
    ),
    ("回答", false, false, Outcome::Texts(&[13])),
    (
        "note",
        false,
        false,
        Outcome::Texts(&[10, 18, 25, 31, 32, 45, 46, 61, 63, 80, 83, 85, 86, 88, 105]),
    ),
    (
        "NOTE",
        false,
        false,
        Outcome::Texts(&[10, 18, 25, 31, 32, 45, 46, 61, 63, 80, 83, 85, 86, 88, 105]),
    ),
    ("NOTE", false, true, Outcome::Texts(&[])),
    (
        "note",
        false,
        true,
        Outcome::Texts(&[10, 18, 25, 31, 32, 45, 46, 61, 63, 80, 83, 85, 86, 88, 105]),
    ),
    (
        "[",
        false,
        false,
        Outcome::Texts(&[10, 11, 39, 51, 53, 55, 57, 61, 88, 94]),
    ),
    (
        "^\\w+",
        true,
        false,
        Outcome::Texts(&[
            0, 1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26,
            27, 28, 29, 30, 32, 33, 34, 35, 36, 37, 38, 40, 41, 42, 43, 44, 47, 48, 49, 50, 52, 54,
            56, 58, 59, 60, 62, 63, 64, 65, 66, 67, 68, 69, 70, 71, 72, 73, 74, 75, 76, 77, 78, 80,
            81, 82, 84, 87, 89, 90, 91, 92, 93, 95, 96, 97, 98, 99, 100, 101, 102, 103, 104, 105,
        ]),
    ),
    ("[A-Z]{2}", true, true, Outcome::Texts(&[])),
    (
        "*x",
        true,
        false,
        Outcome::Error("re.error", "nothing to repeat at position 0"),
    ),
    (
        "こんにちは",
        false,
        false,
        Outcome::Texts(&[14, 19, 23, 79, 90]),
    ),
    (
        "underline",
        false,
        false,
        Outcome::Texts(&[22, 51, 64, 68, 80]),
    ),
    (
        "UNDERLINE",
        false,
        false,
        Outcome::Texts(&[22, 51, 64, 68, 80]),
    ),
    ("UNDERLINE", false, true, Outcome::Texts(&[])),
    ("underline", false, true, Outcome::Texts(&[22, 51, 68, 80])),
    ("ممنون", false, false, Outcome::Texts(&[0, 13, 22, 75])),
    (
        "started",
        false,
        false,
        Outcome::Texts(&[7, 12, 23, 24, 26, 27, 29, 79]),
    ),
    (
        "STARTED",
        false,
        false,
        Outcome::Texts(&[7, 12, 23, 24, 26, 27, 29, 79]),
    ),
    ("STARTED", false, true, Outcome::Texts(&[])),
    (
        "started",
        false,
        true,
        Outcome::Texts(&[7, 12, 23, 24, 26, 27, 29, 79]),
    ),
    (
        "[!?.]$",
        true,
        false,
        Outcome::Texts(&[
            3, 9, 11, 16, 24, 26, 28, 29, 33, 44, 49, 54, 60, 66, 67, 69, 72, 76, 79, 80, 84, 93,
            100, 102,
        ]),
    ),
    ("模型", false, false, Outcome::Texts(&[23, 57, 79])),
    ("lexicon", false, false, Outcome::Texts(&[26, 28, 80])),
    ("LEXICON", false, false, Outcome::Texts(&[26, 28, 80])),
    ("LEXICON", false, true, Outcome::Texts(&[])),
    ("lexicon", false, true, Outcome::Texts(&[26, 28, 80])),
    ("\\s{2}", true, false, Outcome::Texts(&[42, 65, 70, 103])),
    (
        "안녕하세요",
        false,
        false,
        Outcome::Texts(&[0, 27, 55, 77, 78]),
    ),
    (
        "vector",
        false,
        false,
        Outcome::Texts(&[26, 28, 48, 63, 78, 86]),
    ),
    (
        "VECTOR",
        false,
        false,
        Outcome::Texts(&[26, 28, 48, 63, 78, 86]),
    ),
    ("VECTOR", false, true, Outcome::Texts(&[])),
    (
        "vector",
        false,
        true,
        Outcome::Texts(&[26, 28, 48, 63, 78, 86]),
    ),
    ("a.b", false, false, Outcome::Texts(&[])),
    (
        "prompt",
        false,
        false,
        Outcome::Texts(&[
            1, 15, 18, 25, 29, 30, 31, 33, 36, 43, 49, 52, 60, 62, 67, 76, 80, 90, 93, 97, 100,
        ]),
    ),
    (
        "PROMPT",
        false,
        false,
        Outcome::Texts(&[
            1, 15, 18, 25, 29, 30, 31, 33, 36, 43, 49, 52, 60, 62, 67, 76, 80, 90, 93, 97, 100,
        ]),
    ),
    ("PROMPT", false, true, Outcome::Texts(&[])),
    (
        "prompt",
        false,
        true,
        Outcome::Texts(&[31, 43, 49, 52, 60, 67, 100]),
    ),
    (
        "body",
        false,
        false,
        Outcome::Texts(&[10, 18, 25, 31, 32, 45, 46, 61, 63, 80, 83, 85, 86, 88, 105]),
    ),
    (
        "BODY",
        false,
        false,
        Outcome::Texts(&[10, 18, 25, 31, 32, 45, 46, 61, 63, 80, 83, 85, 86, 88, 105]),
    ),
    ("BODY", false, true, Outcome::Texts(&[])),
    (
        "body",
        false,
        true,
        Outcome::Texts(&[10, 18, 25, 31, 32, 45, 46, 61, 63, 80, 83, 85, 86, 88, 105]),
    ),
    (
        "user",
        false,
        false,
        Outcome::Texts(&[27, 34, 39, 44, 48, 51, 53, 55, 57, 58, 61, 66, 88, 95, 105]),
    ),
    (
        "USER",
        false,
        false,
        Outcome::Texts(&[27, 34, 39, 44, 48, 51, 53, 55, 57, 58, 61, 66, 88, 95, 105]),
    ),
    ("USER", false, true, Outcome::Texts(&[])),
    (
        "user",
        false,
        true,
        Outcome::Texts(&[27, 34, 39, 44, 48, 51, 53, 55, 57, 58, 61, 66, 88, 95, 105]),
    ),
    ("packet", false, false, Outcome::Texts(&[9, 35, 51, 88])),
    ("PACKET", false, false, Outcome::Texts(&[9, 35, 51, 88])),
    ("PACKET", false, true, Outcome::Texts(&[])),
    ("packet", false, true, Outcome::Texts(&[9, 35, 51, 88])),
    ("(", false, false, Outcome::Texts(&[])),
    (
        "provide",
        false,
        false,
        Outcome::Texts(&[1, 18, 25, 30, 33, 36, 76, 80, 90]),
    ),
    (
        "PROVIDE",
        false,
        false,
        Outcome::Texts(&[1, 18, 25, 30, 33, 36, 76, 80, 90]),
    ),
    ("PROVIDE", false, true, Outcome::Texts(&[])),
    (
        "provide",
        false,
        true,
        Outcome::Texts(&[1, 18, 25, 30, 33, 36, 76, 80, 90]),
    ),
    ("\\", false, false, Outcome::Texts(&[])),
    ("سلام", false, false, Outcome::Texts(&[47, 75])),
    ("painter", false, false, Outcome::Texts(&[3, 24, 69, 81])),
    ("PAINTER", false, false, Outcome::Texts(&[3, 24, 69, 81])),
    ("PAINTER", false, true, Outcome::Texts(&[])),
    ("painter", false, true, Outcome::Texts(&[24, 69, 81])),
    (
        "?",
        false,
        false,
        Outcome::Texts(&[3, 9, 11, 24, 33, 54, 69, 93, 102]),
    ),
    ("שלום", false, false, Outcome::Texts(&[0, 78])),
    (
        "clever",
        false,
        false,
        Outcome::Texts(&[11, 37, 59, 80, 84, 88, 95, 104]),
    ),
    (
        "CLEVER",
        false,
        false,
        Outcome::Texts(&[11, 37, 59, 80, 84, 88, 95, 104]),
    ),
    ("CLEVER", false, true, Outcome::Texts(&[])),
    (
        "clever",
        false,
        true,
        Outcome::Texts(&[11, 37, 59, 80, 84, 88, 95, 104]),
    ),
    (
        "translate",
        false,
        false,
        Outcome::Texts(&[41, 84, 87, 102]),
    ),
    (
        "TRANSLATE",
        false,
        false,
        Outcome::Texts(&[41, 84, 87, 102]),
    ),
    ("TRANSLATE", false, true, Outcome::Texts(&[])),
    ("translate", false, true, Outcome::Texts(&[41, 84, 87, 102])),
    (
        "answer",
        false,
        false,
        Outcome::Texts(&[1, 18, 25, 30, 33, 36, 76, 90]),
    ),
    (
        "ANSWER",
        false,
        false,
        Outcome::Texts(&[1, 18, 25, 30, 33, 36, 76, 90]),
    ),
    ("ANSWER", false, true, Outcome::Texts(&[])),
    (
        "answer",
        false,
        true,
        Outcome::Texts(&[1, 18, 25, 30, 33, 36, 76, 90]),
    ),
    ("parser", false, false, Outcome::Texts(&[30, 42, 80, 97])),
    ("PARSER", false, false, Outcome::Texts(&[30, 42, 80, 97])),
    ("PARSER", false, true, Outcome::Texts(&[])),
    ("parser", false, true, Outcome::Texts(&[30, 42, 80, 97])),
    ("🧑\u{200d}🚀🇮🇷", false, false, Outcome::Texts(&[94])),
    ("tunnel", false, false, Outcome::Texts(&[65, 70, 102])),
    ("TUNNEL", false, false, Outcome::Texts(&[65, 70, 102])),
    ("TUNNEL", false, true, Outcome::Texts(&[])),
    ("tunnel", false, true, Outcome::Texts(&[65, 70, 102])),
    (
        "МОДЕЛЬ",
        false,
        false,
        Outcome::Texts(&[19, 27, 74, 90, 101]),
    ),
];

/// Probes: `(query, use_regex, case_sensitive, text, what Python answers)`. Unicode case-folding
/// traps (`ß`/`ẞ`, Greek sigmas, Turkish `İ`/`ı`, `ſ`, the Kelvin sign, astral letters and
/// `_sre`'s `[𐐀x]` quirk), `$` before a trailing newline, Python's `\w`/`\d`/`\s`/`\b`,
/// backreferences (case-insensitive ones compare lower cases), look-behinds, Python-only syntax
/// (`(?P<n>)`, `(?P=n)`, `\Z`, atomic groups, possessive repeats, conditionals, verbose mode),
/// literal queries full of metacharacters, and every kind of invalid pattern.
const PROBES: &[(&str, bool, bool, &str, Outcome)] = &[
    ("STRASSE", false, false, "straße", Outcome::Match(false)),
    ("straße", false, false, "STRASSE", Outcome::Match(false)),
    ("ß", false, false, "ẞ", Outcome::Match(true)),
    ("ẞ", false, false, "ß", Outcome::Match(true)),
    ("ß", false, false, "ss", Outcome::Match(false)),
    ("Σ", false, false, "ς", Outcome::Match(true)),
    ("ς", false, false, "σ", Outcome::Match(true)),
    ("σ", false, false, "Σ", Outcome::Match(true)),
    ("İ", false, false, "i", Outcome::Match(true)),
    ("i", false, false, "İ", Outcome::Match(true)),
    ("I", false, false, "ı", Outcome::Match(true)),
    ("ı", false, false, "I", Outcome::Match(true)),
    ("İ", false, false, "ı", Outcome::Match(true)),
    ("i\u{307}", false, false, "İ", Outcome::Match(false)),
    ("İ", false, false, "i\u{307}", Outcome::Match(true)),
    ("ſ", false, false, "S", Outcome::Match(true)),
    ("s", false, false, "ſ", Outcome::Match(true)),
    ("k", false, false, "\u{212a}", Outcome::Match(true)),
    ("\u{212a}", false, false, "K", Outcome::Match(true)),
    ("µ", false, false, "Μ", Outcome::Match(true)),
    ("ǅ", false, false, "ǆ", Outcome::Match(true)),
    ("ǆ", false, false, "Ǆ", Outcome::Match(true)),
    ("ﬀ", false, false, "ff", Outcome::Match(false)),
    ("ff", false, false, "ﬀ", Outcome::Match(false)),
    ("ﬅ", false, false, "ﬆ", Outcome::Match(true)),
    ("ϑ", false, false, "Θ", Outcome::Match(true)),
    ("θ", false, false, "ϴ", Outcome::Match(true)),
    ("\u{345}", false, false, "Ι", Outcome::Match(true)),
    ("𐐀", false, false, "𐐨", Outcome::Match(true)),
    ("Å", false, false, "å", Outcome::Match(true)),
    ("Ω", false, false, "ω", Outcome::Match(true)),
    ("ΐ", false, false, "ΐ", Outcome::Match(true)),
    ("ᲀ", false, false, "В", Outcome::Match(true)),
    ("MODEL", false, false, "модель", Outcome::Match(false)),
    ("ОТВЕТ", false, false, "ответ", Outcome::Match(true)),
    ("ß", false, true, "ẞ", Outcome::Match(false)),
    ("K", false, true, "k", Outcome::Match(false)),
    ("", false, false, "", Outcome::Match(true)),
    ("", false, true, "anything", Outcome::Match(true)),
    ("a.b", false, true, "axb", Outcome::Match(false)),
    ("a.b", false, true, "a.b", Outcome::Match(true)),
    ("(", false, true, "f(x)", Outcome::Match(true)),
    ("\\", false, true, "a\\b", Outcome::Match(true)),
    ("*", false, true, "2*3", Outcome::Match(true)),
    ("[", false, true, "[x]", Outcome::Match(true)),
    ("?", false, true, "why?", Outcome::Match(true)),
    ("\n", false, true, "a\nb", Outcome::Match(true)),
    ("[a-z]+", true, false, "\u{212a}", Outcome::Match(true)),
    ("[a-z]", true, false, "ſ", Outcome::Match(true)),
    ("[a-z]", true, false, "İ", Outcome::Match(true)),
    ("[a-z]", true, false, "ı", Outcome::Match(true)),
    ("[^a-z]", true, false, "\u{212a}", Outcome::Match(false)),
    ("[𐐀x]", true, false, "𐐀", Outcome::Match(false)),
    ("𐐀|x", true, false, "𐐀", Outcome::Match(false)),
    ("𐐀", true, false, "𐐨", Outcome::Match(true)),
    (
        "[\\U00010400-\\U00010401]",
        true,
        false,
        "𐐨",
        Outcome::Match(true),
    ),
    ("(?a)k", true, false, "\u{212a}", Outcome::Match(false)),
    ("(?a)[a-z]", true, false, "ſ", Outcome::Match(false)),
    ("[ß]", true, false, "ẞ", Outcome::Match(true)),
    ("[σ]", true, false, "ς", Outcome::Match(true)),
    ("(?i)Straße", true, true, "STRAẞE", Outcome::Match(true)),
    ("(?-i:a)b", true, false, "aB", Outcome::Match(true)),
    ("(?i:a)b", true, true, "Ab", Outcome::Match(true)),
    ("a$", true, true, "a\n", Outcome::Match(true)),
    ("a$", true, true, "a\n\n", Outcome::Match(false)),
    ("a$", true, true, "a\nb", Outcome::Match(false)),
    ("a\\Z", true, true, "a\n", Outcome::Match(false)),
    ("a\\Z", true, true, "a", Outcome::Match(true)),
    ("a$\\n", true, true, "a\n", Outcome::Match(true)),
    ("(?m)a$", true, true, "a\nb", Outcome::Match(true)),
    ("^b", true, true, "a\nb", Outcome::Match(false)),
    ("(?m)^b", true, true, "a\nb", Outcome::Match(true)),
    ("(?m)^$", true, true, "a\n", Outcome::Match(true)),
    ("\\Aa", true, true, "ba", Outcome::Match(false)),
    ("a.b", true, true, "a\nb", Outcome::Match(false)),
    ("(?s)a.b", true, true, "a\nb", Outcome::Match(true)),
    ("^$", true, true, "", Outcome::Match(true)),
    ("$", true, true, "\n", Outcome::Match(true)),
    ("[!?.]$", true, true, "done.\n", Outcome::Match(true)),
    ("^\\w+$", true, true, "café", Outcome::Match(true)),
    ("^\\w+$", true, true, "cafe\u{301}", Outcome::Match(false)),
    ("\\w", true, true, "²", Outcome::Match(true)),
    ("\\d", true, true, "²", Outcome::Match(false)),
    ("\\d", true, true, "٣", Outcome::Match(true)),
    ("\\w", true, true, "\u{301}", Outcome::Match(false)),
    ("\\w", true, true, "‿", Outcome::Match(false)),
    ("\\w", true, true, "Ⅻ", Outcome::Match(true)),
    ("\\s", true, true, "\u{1c}", Outcome::Match(true)),
    ("\\s", true, true, "\u{a0}", Outcome::Match(true)),
    ("\\s", true, true, "\u{200b}", Outcome::Match(false)),
    ("(?a)\\w", true, true, "é", Outcome::Match(false)),
    ("(?a)\\s", true, true, "\u{a0}", Outcome::Match(false)),
    ("\\W", true, true, "_", Outcome::Match(false)),
    ("[\\d]", true, true, "𝟎", Outcome::Match(true)),
    ("e\\b", true, true, "cafe\u{301}", Outcome::Match(true)),
    (
        "\\bcafe\\b",
        true,
        true,
        "cafe\u{301} au lait",
        Outcome::Match(true),
    ),
    ("\\b", true, true, "", Outcome::Match(false)),
    ("\\B", true, true, "", Outcome::Match(false)),
    ("\\B", true, true, "a", Outcome::Match(false)),
    ("x\\B", true, true, "xy", Outcome::Match(true)),
    (
        "\\b\\w+\\b",
        true,
        true,
        "สว\u{e31}สด\u{e35}",
        Outcome::Match(true),
    ),
    ("(?a)\\bé", true, true, "é", Outcome::Match(false)),
    ("(?a)\\b", true, true, "é", Outcome::Match(false)),
    (
        "\\b[a-z]{5}\\b",
        true,
        true,
        "hello world",
        Outcome::Match(true),
    ),
    (
        "\\b[a-z]{5}\\b",
        true,
        true,
        "helloworld",
        Outcome::Match(false),
    ),
    (
        "(\\w+) \\1",
        true,
        true,
        "hello hello",
        Outcome::Match(true),
    ),
    (
        "(\\w+) \\1",
        true,
        true,
        "hello help",
        Outcome::Match(false),
    ),
    ("(a)\\1", true, true, "aA", Outcome::Match(false)),
    ("(a)\\1", true, false, "aA", Outcome::Match(true)),
    ("(σ)\\1", true, false, "σς", Outcome::Match(false)),
    ("(σ)\\1", true, false, "σΣ", Outcome::Match(true)),
    ("(s)\\1", true, false, "sſ", Outcome::Match(false)),
    ("(i)\\1", true, false, "iİ", Outcome::Match(true)),
    ("(?P<w>\\w)(?P=w)", true, true, "xx", Outcome::Match(true)),
    ("(?:(a)|b)\\1", true, true, "b", Outcome::Match(false)),
    ("(a)|b\\1", true, true, "b", Outcome::Match(false)),
    (
        "(?a)(k)\\1",
        true,
        false,
        "k\u{212a}",
        Outcome::Match(false),
    ),
    ("(?a)(k)\\1", true, false, "kK", Outcome::Match(true)),
    ("(a)\\1?", true, true, "a", Outcome::Match(true)),
    ("(a)(?<=\\1)", true, true, "a", Outcome::Match(true)),
    ("(?<=a)b", true, true, "ab", Outcome::Match(true)),
    ("(?<!a)b", true, true, "ab", Outcome::Match(false)),
    ("(?<=\\d{2})x", true, true, "12x", Outcome::Match(true)),
    ("(?<=ab|cd)e", true, true, "cde", Outcome::Match(true)),
    ("a(?=b)", true, true, "ab", Outcome::Match(true)),
    ("a(?!b)", true, true, "ab", Outcome::Match(false)),
    ("(?>a+)a", true, true, "aaa", Outcome::Match(false)),
    ("a++a", true, true, "aa", Outcome::Match(false)),
    ("a*+b", true, true, "aab", Outcome::Match(true)),
    ("(a)?(?(1)b|c)", true, true, "c", Outcome::Match(true)),
    ("(a)?(?(1)b|c)", true, true, "ab", Outcome::Match(true)),
    ("(?P<x>a)?(?(x)b|c)", true, true, "ac", Outcome::Match(true)),
    ("(?x) a b # comment", true, true, "ab", Outcome::Match(true)),
    ("(?x)[ ]", true, true, "a b", Outcome::Match(true)),
    (
        "\\x41\\u0042\\U00000043",
        true,
        true,
        "ABC",
        Outcome::Match(true),
    ),
    ("\\101", true, true, "A", Outcome::Match(true)),
    ("\\0", true, true, "\u{0}", Outcome::Match(true)),
    ("[\\b]", true, true, "\u{8}", Outcome::Match(true)),
    ("a{,2}b", true, true, "aab", Outcome::Match(true)),
    ("a{2", true, true, "a{2", Outcome::Match(true)),
    ("a{}", true, true, "a{}", Outcome::Match(true)),
    ("a{1, 2}", true, true, "a{1, 2}", Outcome::Match(true)),
    ("x{2,}?y", true, true, "xxy", Outcome::Match(true)),
    ("(?:)*a", true, true, "a", Outcome::Match(true)),
    ("(?=a)*b", true, true, "b", Outcome::Match(true)),
    (
        "*x",
        true,
        false,
        "a",
        Outcome::Error("re.error", "nothing to repeat at position 0"),
    ),
    (
        "a**",
        true,
        false,
        "a",
        Outcome::Error("re.error", "multiple repeat at position 2"),
    ),
    (
        "(",
        true,
        false,
        "a",
        Outcome::Error(
            "re.error",
            "missing ), unterminated subpattern at position 0",
        ),
    ),
    (
        "(?P<n>a",
        true,
        false,
        "a",
        Outcome::Error(
            "re.error",
            "missing ), unterminated subpattern at position 0",
        ),
    ),
    (
        "[a-",
        true,
        false,
        "a",
        Outcome::Error("re.error", "unterminated character set at position 0"),
    ),
    (
        "[z-a]",
        true,
        false,
        "a",
        Outcome::Error("re.error", "bad character range z-a at position 1"),
    ),
    (
        "a{2,1}",
        true,
        false,
        "a",
        Outcome::Error(
            "re.error",
            "min repeat greater than max repeat at position 2",
        ),
    ),
    (
        "a{99999999999}",
        true,
        false,
        "a",
        Outcome::Error("OverflowError", "the repetition number is too large"),
    ),
    (
        "\\",
        true,
        false,
        "a",
        Outcome::Error("re.error", "bad escape (end of pattern) at position 0"),
    ),
    (
        "\\q",
        true,
        false,
        "a",
        Outcome::Error("re.error", "bad escape \\q at position 0"),
    ),
    (
        "\\8",
        true,
        false,
        "a",
        Outcome::Error("re.error", "invalid group reference 8 at position 1"),
    ),
    (
        "[\\8]",
        true,
        false,
        "a",
        Outcome::Error("re.error", "bad escape \\8 at position 1"),
    ),
    (
        "\\x4",
        true,
        false,
        "a",
        Outcome::Error("re.error", "incomplete escape \\x4 at position 0"),
    ),
    (
        "\\U00110000",
        true,
        false,
        "a",
        Outcome::Error("re.error", "bad escape \\U00110000 at position 0"),
    ),
    (
        "\\777",
        true,
        false,
        "a",
        Outcome::Error(
            "re.error",
            "octal escape value \\777 outside of range 0-0o377 at position 0",
        ),
    ),
    (
        "(?P<1>a)",
        true,
        false,
        "a",
        Outcome::Error("re.error", "bad character in group name '1' at position 4"),
    ),
    (
        "(?P=n)",
        true,
        false,
        "a",
        Outcome::Error("re.error", "unknown group name 'n' at position 4"),
    ),
    (
        "(?P<n>a)(?P<n>b)",
        true,
        false,
        "a",
        Outcome::Error(
            "re.error",
            "redefinition of group name 'n' as group 2; was group 1 at position 12",
        ),
    ),
    (
        "(?<=a+)b",
        true,
        false,
        "a",
        Outcome::Error("re.error", "look-behind requires fixed-width pattern"),
    ),
    (
        "(?<=(a)\\1)",
        true,
        false,
        "a",
        Outcome::Error(
            "re.error",
            "cannot refer to group defined in the same lookbehind subpattern at position 9",
        ),
    ),
    (
        "(a)(?(2)b)",
        true,
        false,
        "a",
        Outcome::Error("re.error", "invalid group reference 2 at position 6"),
    ),
    (
        "(?(a)b)",
        true,
        false,
        "a",
        Outcome::Error("re.error", "unknown group name 'a' at position 3"),
    ),
    (
        "a(?i)",
        true,
        false,
        "a",
        Outcome::Error(
            "re.error",
            "global flags not at the start of the expression at position 1",
        ),
    ),
    (
        "(?L)a",
        true,
        false,
        "a",
        Outcome::Error(
            "re.error",
            "bad inline flags: cannot use 'L' flag with a str pattern at position 3",
        ),
    ),
    (
        "(?a)(?u)a",
        true,
        false,
        "a",
        Outcome::Error("ValueError", "ASCII and UNICODE flags are incompatible"),
    ),
    (
        ")",
        true,
        false,
        "a",
        Outcome::Error("re.error", "unbalanced parenthesis at position 0"),
    ),
    (
        "(?#x",
        true,
        false,
        "a",
        Outcome::Error("re.error", "missing ), unterminated comment at position 0"),
    ),
    (
        "(?Px)",
        true,
        false,
        "a",
        Outcome::Error("re.error", "unknown extension ?Px at position 1"),
    ),
    (
        "(?<x)",
        true,
        false,
        "a",
        Outcome::Error("re.error", "unknown extension ?<x at position 1"),
    ),
    (
        "(?i-i:a)",
        true,
        false,
        "a",
        Outcome::Error(
            "re.error",
            "bad inline flags: flag turned on and off at position 5",
        ),
    ),
    (
        "(?-i)a",
        true,
        false,
        "a",
        Outcome::Error("re.error", "missing : at position 4"),
    ),
    (
        "\\N{NO SUCH NAME!}",
        true,
        false,
        "a",
        Outcome::Error(
            "re.error",
            "undefined character name 'NO SUCH NAME!' at position 0",
        ),
    ),
    (
        "(?(1)a|b|c)",
        true,
        false,
        "a",
        Outcome::Error(
            "re.error",
            "conditional backref with more than two branches at position 8",
        ),
    ),
    (
        "a\n[",
        true,
        false,
        "a",
        Outcome::Error(
            "re.error",
            "unterminated character set at position 2 (line 2, column 1)",
        ),
    ),
    (
        "(?t)a*",
        true,
        false,
        "a",
        Outcome::Error(
            "re.error",
            "internal: unsupported template operator MAX_REPEAT",
        ),
    ),
    (
        "\\N",
        true,
        false,
        "a",
        Outcome::Error("re.error", "missing { at position 2"),
    ),
];

#[test]
fn fixture_queries_on_fixture_texts() {
    let mut failures = Vec::new();
    let mut total = 0;
    for &(query, use_regex, case_sensitive, expected) in FIXTURE_QUERIES {
        if let Outcome::Texts(ids) = expected {
            for (id, text) in TEXTS.iter().enumerate() {
                total += 1;
                let want = Outcome::Match(ids.contains(&id));
                if let Err(e) = check(query, use_regex, case_sensitive, text, want) {
                    failures.push(e);
                }
            }
        } else {
            total += 1;
            if let Err(e) = check(query, use_regex, case_sensitive, "", expected) {
                failures.push(e);
            }
        }
    }
    assert!(total >= FIXTURE_QUERIES.len());
    report("fixture queries", &failures, total);
}

#[test]
fn probes_verified_with_python() {
    assert!(PROBES.len() >= 80);
    let failures: Vec<String> = PROBES
        .iter()
        .filter_map(|&(query, use_regex, case_sensitive, text, expected)| {
            check(query, use_regex, case_sensitive, text, expected).err()
        })
        .collect();
    report("probes", &failures, PROBES.len());
}

fn conformance_dir() -> PathBuf {
    std::env::var_os("MEMOR_CONFORMANCE").map_or_else(
        || {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../../../shared/conformance"
            ))
        },
        PathBuf::from,
    )
}

/// One recorded `search` call: its arguments and its outcome.
fn check_recorded(
    query: &str,
    use_regex: bool,
    case_sensitive: bool,
    result: &Value,
) -> Result<(), String> {
    let compiled = Query::new(query, use_regex, case_sensitive);
    let label = format!("query {query:?} (use_regex={use_regex}, case_sensitive={case_sensitive})");
    match (compiled, result.get("error")) {
        (Ok(_), None) => Ok(()),
        (Ok(_), Some(error)) => Err(format!("{label}: compiled, Python raised {error}")),
        (Err(e), None) => Err(format!("{label}: {e:?}, Python compiled it")),
        (Err(e), Some(error)) => {
            let class = error.get("class").and_then(Value::as_str);
            let message = error.get("message").and_then(Value::as_str);
            if e.python_class() == class && Some(e.message()) == message {
                Ok(())
            } else {
                Err(format!(
                    "{label}: got {:?} {:?}, recorded {error}",
                    e.python_class(),
                    e.message()
                ))
            }
        }
    }
}

#[test]
fn conformance_search_entries() {
    let dir = conformance_dir().join("memor");
    let mut passed = 0;
    let mut failures = Vec::new();
    let mut record = |outcome: Result<(), String>| match outcome {
        Ok(()) => passed += 1,
        Err(e) => failures.push(e),
    };

    let cases = std::fs::read_to_string(dir.join("cases.jsonl"))
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.join("cases.jsonl").display()));
    for line in cases.lines().filter(|line| !line.trim().is_empty()) {
        let case: Value = serde_json::from_str(line).expect("cases.jsonl holds JSON lines");
        for entry in case
            .get("search")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let query = entry["query"].as_str().expect("query is a string");
            let use_regex = entry["use_regex"].as_bool().expect("use_regex is a bool");
            let case_sensitive = entry["case_sensitive"]
                .as_bool()
                .expect("case_sensitive is a bool");
            record(check_recorded(
                query,
                use_regex,
                case_sensitive,
                &entry["result"],
            ));
        }
    }

    // `operations.jsonl`: `search(query, use_regex=False, case_sensitive=False)` ops.
    if let Ok(operations) = std::fs::read_to_string(dir.join("operations.jsonl")) {
        for line in operations.lines().filter(|line| !line.trim().is_empty()) {
            let sequence: Value =
                serde_json::from_str(line).expect("operations.jsonl holds JSON lines");
            let ops = sequence["ops"].as_array().into_iter().flatten();
            let results = sequence["results"].as_array().into_iter().flatten();
            for (op, result) in ops.zip(results) {
                if op["op"] != "search" {
                    continue;
                }
                let args = op["args"].as_array().cloned().unwrap_or_default();
                let (Some(query), use_regex, case_sensitive) = (
                    args.first().and_then(Value::as_str),
                    args.get(1).and_then(Value::as_bool).unwrap_or(false),
                    args.get(2).and_then(Value::as_bool).unwrap_or(false),
                ) else {
                    continue;
                };
                record(check_recorded(query, use_regex, case_sensitive, result));
            }
        }
    }

    println!("search: {passed} passed, {} failed", failures.len());
    for failure in failures.iter().take(50) {
        eprintln!("{failure}");
    }
    assert!(
        passed + failures.len() > 0,
        "no search entry found under {}",
        dir.display()
    );
    assert!(
        failures.is_empty(),
        "search: {passed} passed, {} failed",
        failures.len()
    );
}

#[test]
fn unsupported_constructs_are_refused_not_guessed() {
    // `\N{...}` needs Unicode's name table; Python accepts it.
    let err = Query::new(r"\N{EM DASH}", true, true).unwrap_err();
    assert_eq!(err.kind(), SearchErrorKind::Unsupported);
    assert_eq!(err.python_class(), None);
    // A name no character can have is Python's `re.error`.
    let err = Query::new(r"\N{9}", true, true).unwrap_err();
    assert_eq!(err.python_class(), Some("re.error"));
    assert_eq!(err.message(), "undefined character name '9' at position 0");
    // A case-insensitive backreference next to a case-sensitive part.
    let err = Query::new(r"(a)(?-i:K)\1", true, false).unwrap_err();
    assert_eq!(err.kind(), SearchErrorKind::Unsupported);
    // ... while a case-sensitive part that cannot tell a character from its lower case is fine.
    let query = Query::new(r"(a)(?-i:-)\1", true, false).unwrap();
    assert!(query.is_match("a-A"));
}

#[test]
fn python_error_classes() {
    let cases = [
        (
            "x{4294967295}",
            "OverflowError",
            "the repetition number is too large",
        ),
        (
            "(?a)(?u)x",
            "ValueError",
            "ASCII and UNICODE flags are incompatible",
        ),
        (
            "(?<=a+)b",
            "re.error",
            "look-behind requires fixed-width pattern",
        ),
        (
            "(?t)a*",
            "re.error",
            "internal: unsupported template operator MAX_REPEAT",
        ),
    ];
    for (pattern, class, message) in cases {
        let err = Query::new(pattern, true, true).unwrap_err();
        assert_eq!(
            (err.python_class(), err.message()),
            (Some(class), message),
            "{pattern:?}"
        );
    }
    let deep = format!("{}a{}", "(".repeat(600), ")".repeat(600));
    let err = Query::new(&deep, true, true).unwrap_err();
    assert_eq!(err.python_class(), Some("RecursionError"));
    let err = Query::new("(?P<n>a", true, true).unwrap_err();
    assert_eq!(err.position(), Some(0));
}

#[test]
fn warnings_python_emits() {
    let query = Query::new("[[a]", true, true).unwrap();
    let warnings: Vec<(&str, &str)> = query
        .warnings()
        .iter()
        .map(|w| (w.category, w.message.as_str()))
        .collect();
    assert_eq!(
        warnings,
        [("FutureWarning", "Possible nested set at position 1")]
    );
    assert!(Query::new("[a]", true, true).unwrap().warnings().is_empty());
}

#[test]
fn empty_query_matches_everything() {
    for (use_regex, case_sensitive) in [(false, false), (false, true), (true, false), (true, true)]
    {
        let query = Query::new("", use_regex, case_sensitive).unwrap();
        assert!(query.is_match(""));
        assert!(query.is_match("anything\n"));
    }
}

#[test]
fn query_is_cheap_to_clone_and_thread_safe() {
    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}
    assert_send_sync::<Query>();
    let query = Query::new(r"\b(\w+) \1\b", true, false).unwrap();
    let clone = query.clone();
    let handle = std::thread::spawn(move || clone.is_match("Hello hello world"));
    assert!(handle.join().unwrap());
    assert!(query.is_match("Say it it twice"));
    assert!(!query.is_match("nothing repeated"));
    assert_eq!(query.as_str(), r"\b(\w+) \1\b");
    assert!(query.use_regex() && !query.case_sensitive());
}

/// `re.escape`, to put a literal into a pattern.
fn py_escape(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if "()[]{}?*+-|^$\\.&~# \t\n\r\x0b\x0c".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[test]
fn literal_path_agrees_with_regex_path() {
    // A literal query never reaches the regex engine; the same literal inside a capture group
    // does. Both must agree, case-sensitive or not.
    const ALPHABET: &[&str] = &[
        "a",
        "A",
        "k",
        "K",
        "\u{212a}",
        "s",
        "S",
        "\u{17f}",
        "i",
        "I",
        "\u{130}",
        "\u{131}",
        "\u{3c3}",
        "\u{3c2}",
        "\u{3a3}",
        "\u{df}",
        "\u{1e9e}",
        "\u{b5}",
        "\u{3bc}",
        "\u{10400}",
        "\u{10428}",
        "\u{1c5}",
        "\u{1c6}",
        " ",
        ".",
        "(",
        "\\",
        "\n",
        "é",
        "e\u{301}",
        "1",
    ];
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    for _ in 0..600 {
        let needle: String = (0..=next(3))
            .map(|_| ALPHABET[next(ALPHABET.len())])
            .collect();
        let hay: String = (0..next(8))
            .map(|_| ALPHABET[next(ALPHABET.len())])
            .collect();
        for case_sensitive in [true, false] {
            let literal = Query::new(&needle, false, case_sensitive).unwrap();
            let regex =
                Query::new(&format!("({})", py_escape(&needle)), true, case_sensitive).unwrap();
            for text in [
                hay.as_str(),
                needle.as_str(),
                &needle.to_uppercase(),
                &needle.to_lowercase(),
            ] {
                assert_eq!(
                    literal.is_match(text),
                    regex.is_match(text),
                    "{needle:?} in {text:?} (case_sensitive={case_sensitive})"
                );
            }
        }
    }
}

#[test]
fn word_boundary_agrees_with_python_word_class_everywhere() {
    // `\b` is the engine's own unless the text holds a character on which its `\w` and Python's
    // disagree (a table from the engine's Unicode version). If the engine's tables change, this
    // finds the characters the table misses: on a one-character text, `\b` holds iff the
    // character is in Python's `\w` (which the pattern spells out explicitly).
    let boundary = Query::new(r"\b", true, true).unwrap();
    let word = Query::new(r"\w", true, true).unwrap();
    let mut buf = [0u8; 4];
    let mut mismatches = Vec::new();
    for c in (0..=0x10_FFFFu32).filter_map(char::from_u32) {
        let text = c.encode_utf8(&mut buf);
        if boundary.is_match(text) != word.is_match(text) {
            mismatches.push(c);
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} characters disagree, e.g. {:?}",
        mismatches.len(),
        &mismatches[..mismatches.len().min(10)]
    );
}

/// Needles whose letters match only ASCII characters are found in non-ASCII texts too; needles
/// with a non-ASCII case equivalent (`k` and the Kelvin sign, `s` and long s) still find it.
#[test]
fn ascii_needles_in_non_ascii_texts() {
    let q = memor_core::search::Query::new("lazy dog", false, false).unwrap();
    assert!(q.is_match("été — the LAZY Dog sleeps"));
    assert!(!q.is_match("the lazy dög"));
    assert!(!q.is_match("lazy\u{a0}dog"));
    let k = memor_core::search::Query::new("kit", false, false).unwrap();
    assert!(k.is_match("a \u{212a}IT here"));
    let s = memor_core::search::Query::new("sun", false, false).unwrap();
    assert!(s.is_match("\u{17f}un"));
}
