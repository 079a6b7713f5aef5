"""The project's one exception type for errors a user can fix, and all their texts.

Every message names the problem and what to do, in one line, so the command line can
show it in red and exit 1 without a traceback. The texts are written in English; reading
one (`Errors.FILE_NOT_FOUND`) gives it in the language chosen for this run, from the
catalogue (see i18n.py), so a message is translated when it is made.
"""

from .i18n import translated


class UserError(Exception):
    """An error the user can fix (bad file, unknown column, wrong model ...)."""


class Catalogued(type):
    """Attribute access on Errors, Notes and Warnings returns the text in the current language."""

    def __getattribute__(cls, name):
        value = super().__getattribute__(name)
        return value if name.startswith("_") else translated(value, name)


class Errors(metaclass=Catalogued):
    FILE_NOT_FOUND = "File not found: {path}. Check the path and try again."
    NOT_A_FILE = "{path} is a folder, not a file. Name a .csv, .xlsx or .sav file."
    NO_DATA_FILES = "No .csv or .xlsx files in folder {path}. Put coded answers there or name the files."
    UNSUPPORTED_FORMAT = "Cannot read {path}: unsupported file type '{suffix}'. Use .csv, .xlsx or .sav."
    UNSUPPORTED_OUTPUT = "Cannot write {path}: unsupported file type '{suffix}'. Use .csv, .xlsx or .sav."
    EMPTY_FILE = "{path} is empty (no rows). Export the survey answers again and retry."
    UNREADABLE_FILE = "Cannot read {path}: {reason}. Save it again from Excel as CSV or XLSX."
    UNKNOWN_COLUMN = "Column '{column}' not found in {path}. Columns there are: {columns}. Use --{option} to name one."
    NO_TEXT_COLUMN = "No text column found in {path}: none of its columns ({columns}) holds text. Use --text-column to name one."
    OUTPUT_IS_INPUT = "Output {path} is the input file. Choose another --out so the input is never overwritten."
    OUTPUT_DIR_MISSING = "Folder for output {path} does not exist. Create it first or choose another --out."
    UNKNOWN_CODE = "Unknown code '{code}' in {where}. Codes in the code frame are: {codes}. Fix the row or add the code to the frame."
    FALLBACK_COMBINED = "Code '{fallback}' stands beside other codes in {where}; it must stand alone. Remove it or the other codes."
    SINGLE_CHOICE_MULTI = "{where} has {n} codes, but code frame '{frame}' is single-choice. Keep one code per answer."
    TOO_FEW_EXAMPLES = "Code '{code}' has {n} training answers; at least {min} are needed. Code more answers or merge the code."
    NO_TRAINING_ROWS = "No coded answers in {paths}. The '{column}' column must hold codes joined by ';'."
    # Annotation store, review and labeling, export/import, agreement (issue 3).
    STORE_NOT_FOUND = "Annotation store not found: {path}. Review or label some answers first, or name the file with --store."
    STORE_UNREADABLE = "Cannot open annotation store {path}: {reason}. Name another file with --store, or restore one from an export with 'survey-coder import'."
    BAD_RULE = "Unknown disagreement rule '{rule}'. Use one of: {rules}."
    NO_TERMINAL = "'{command}' reads keys from a terminal, and standard input is not one. Run it in a terminal, or give the keys with --script FILE or --keys \"...\"."
    SHORTCUT_CLASH = "Code '{code}' has key '{key}', which is also the key for {command}. Give the code another shortcut in the code frame."
    NOTHING_TO_REVIEW = "No answers in {path} to show: {reason}."
    EXPORT_FORMAT = "Cannot write {path}: unsupported file type '{suffix}'. Use .csv, .xlsx or .jsonl."
    IMPORT_BAD_JSONL = "Cannot read {path}: line {line} is not a JSON object ({reason}). Fix or remove that line."
    STORE_NO_FRAME = "The annotation store {path} has no decisions for code frame '{frame}'. Frames there: {frames}."
    IMPORT_UNKNOWN_ACTION = "unknown action '{action}'"
    IMPORT_UNDO_MISSING = "undo of a decision that is not in the file"
    IMPORT_CONFLICT = "{path}: the same answer is coded differently in rows {rows}. Make them agree, then import again."
    NO_OVERLAP = "No answer in {path} was coded by two or more annotators{where}, so there is no agreement to measure. Have two people code the same file."
    # Shown on the review screen, not raised.
    REVIEW_FINISHED = "No answer on screen: the queue is done."
    REVIEW_UNKNOWN_KEY = "'{key}' is not a key here. Press ? for the keys."
    REVIEW_NO_CODES = "No code chosen. Press a code's key to choose it, or s to skip."
    REVIEW_NOTHING_TO_UNDO = "Nothing to undo for this file and code frame."
    REVIEW_NO_PREVIOUS = "No earlier answer in this session to go back to."
    REVIEW_UNDONE = "Undid the {action} of '{text}'."
    CODEFRAME_NOT_FOUND = "Code frame not found: {path}. Name a .toml or .json file (see labels/)."
    CODEFRAME_INVALID = "Code frame {path} is invalid: {reason}."
    MODEL_NOT_FOUND = "Model not found: {name}. Run 'survey-coder models' to list models, or train one."
    NO_MODELS = "No trained model in {path}. Run 'survey-coder train' first."
    MODEL_NO_METADATA = "Model folder {path} has no metadata.json, so its file cannot be checked. Retrain it, or pass --trust-model if you made it yourself."
    MODEL_HASH_MISMATCH = "Model file {path} does not match the SHA-256 in its metadata.json (changed or corrupt). Retrain it, or pass --trust-model if you know where it came from."
    MODEL_CORRUPT = "Cannot load model {path}: {reason}. Retrain it with 'survey-coder train'."
    MODEL_PICKLE = "Model {path} is in the old pickle format, which can run any code when it is opened. If you made it yourself, convert it once with 'survey-coder models --convert {name} --trust-model'; otherwise retrain it."
    MODEL_UNSAFE = "Model {path} names types this tool does not trust ({types}), so it was not opened. Retrain it; never open a model from an unknown source."
    CONVERT_NEEDS_TRUST = "Converting {name} opens its pickle, which runs any code in it. If you made this model yourself, run the same command with --trust-model."
    MODEL_NOT_PICKLE = "Model {path} is already in the safe format: nothing to convert."
    MODEL_FOREIGN = "{path} is not a model made by this tool. Point --model at a folder made by 'survey-coder train'."
    MODEL_OUT_NOT_EMPTY = "Cannot save the model in {path}: it holds other files than a model. Choose a new or empty folder, or an existing model folder, for --out."
    MODEL_INCOMPATIBLE = "Model {path} was trained with scikit-learn {trained}, this is {installed}, and it cannot be loaded. Retrain it or install scikit-learn {trained}."
    FRAME_MISMATCH = "Model {model} was trained with code frame '{model_frame}' ({model_hash}), not '{frame}' ({frame_hash}). Use the model's own code frame or retrain."
    UNKNOWN_CODER = "Unknown coder kind '{kind}'. Kinds: {kinds}."
    SPACY_MODEL_MISSING = "spaCy pipeline '{name}' is not installed and is not a folder. Install it (see README) or leave out --spacy-model to use the blank Norwegian pipeline."
    SPACY_MODEL_BROKEN = "spaCy pipeline '{name}' could not be loaded: {reason}."
    BAD_TARGET = "--target-precision must be between 0.5 and 1 (got {value})."
    # Quality tools: learning curve, audit, explain (issue 5).
    CURVE_NEEDS_OUT = "--curve needs --out DIR, the folder for the chart and the table. Add --out and try again."
    CURVE_OUT_IS_FILE = "--out {path} is a file; name a folder for the learning curve chart and table."
    BAD_FRACTIONS = "--fractions must be numbers above 0 and at most 1, joined by commas, such as 0.25,0.5,1 (got '{value}')."
    BAD_FOLDS = "--cv must be 2 or more (got {value})."
    BAD_TOP = "--top must be 1 or more (got {value})."
    CANNOT_EXPLAIN = "A '{kind}' model has no word weights, so it cannot show which words pushed a code. Use a model trained with the default coder."
    NOTHING_TO_EXPLAIN = "Nothing to explain: '{text}' has no words. Give an answer in quotes, such as \"Vi trenger flere praksisplasser\"."
    # Yearly reruns: reports, code frame versions, SPSS output (issue 4).
    BAD_YEAR = "--year must be a survey year such as 2019 (got '{value}')."
    NO_YEAR = "Cannot tell which survey year {path} is from: it has no year column and no year in its name. Use --year-column COL or --years YEAR ..."
    YEARS_COUNT = "--years names {n} years for {m} files. Give one year per file, in the same order as the files."
    NOT_CODED = "{path} is not a coded file: it has no '{column}' column. Code it first with 'survey-coder predict', or name the column with --labels-column."
    REPORT_UNKNOWN_CODE = "Unknown code '{code}' in {where}: it is neither in code frame '{frame}' (version {version}) nor in its [frame.previous] map. Use the code frame the file was coded with, or add the code to the map."
    REPORT_OUT_IS_FILE = "--out {path} is a file; name a folder for the report."
    REPORT_OUT_IS_INPUT = "The report would overwrite the input {path}. Choose another --out folder."
    PREVIOUS_INVALID = "Code frame {path}: [frame.previous] is invalid: {reason}. See labels/README.md for the format."
    SAV_WRITE_FAILED = "Cannot write {path} as an SPSS file: {reason}."
    # Survey files in and out (issues 9, 10, 14).
    NOT_TEXT = "Cannot read {path}: it is {what}. Open it in Excel or the survey tool and save the answers as .xlsx or .csv."
    NOT_A_WORKBOOK = "Cannot read {path}: it is {what}, not an Excel workbook. Open it in Excel or the survey tool and save the answers as .xlsx or .csv."
    FILE_TOO_LARGE = "{path} is {size}, more than the {limit} this tool reads from a CSV or SPSS file. Split it into smaller files, or raise the limit with the environment variable {var} (in MB) if this machine has the memory."
    XLSX_TOO_LARGE = "{path} unpacks to {size}, more than the {limit} this tool reads from an XLSX file. Split it or save it as CSV, or raise the limit with the environment variable {var} (in MB) if this machine has the memory."
    XLSX_RATIO = "{path} is packed {ratio} to 1 ({entry}), more than the {limit} to 1 a real workbook reaches: it may be made to exhaust memory. Save it again from Excel, or raise the limit with the environment variable {var} if you trust the file."
    BAD_LIMIT = "The environment variable {var} must be a positive number (got '{value}'). Fix or unset it."
    UNKNOWN_SHEET = "No sheet {sheet!r} in {path}. Sheets there: {sheets}. Use --sheet with one of these names, or its number (0 = the first)."
    SHEET_EMPTY = "Sheet '{sheet}' of {path} is empty. Sheets there: {sheets}. Use --sheet '{suggest}' to read the one with data."
    HEADER_ROW_PAST_END = "--header-row {row} is outside {path}{where}, which has {n} rows. Give the row that names the columns, numbered as in Excel (the first row is 1)."
    HEADER_ROW_EMPTY = "Row {row} of {path}{where} is empty, so it cannot name the columns. Give the row that does with --header-row, numbered as in Excel."
    HEADER_ROW_NOT_FOR_SAV = "--header-row is for CSV and XLSX files; {path} is an SPSS file, which names its variables itself. Leave out --header-row."
    AMBIGUOUS_COLUMN = "Column '{column}' matches several columns in {path}: {matches}. Use --{option} with the exact name."
    NOT_A_TEXT_COLUMN = "Column '{column}' in {path} holds mostly numbers, dates or codes ({n} of {total} filled cells), not written answers. {suggest} Name the answers with --text-column, or add --force-text-column to code this column anyway."
    TEXT_COLUMNS_FOUND = "Columns with text there: {columns}."
    NO_TEXT_COLUMNS_FOUND = "No column there holds written answers."
    OUTPUT_EXISTS = "Output {path} already exists (it may hold corrections made by hand). Add --overwrite to replace it, or choose another --out."
    OUTPUT_IS_FOLDER = "Output {path} is a folder. Name a file in it for --out, such as {path}/coded.csv."
    OUTPUT_NOT_WRITABLE = "Cannot write output {path}: its folder does not take new files ({reason}). Choose another --out, or fix the folder's permissions."
    OUTPUT_NOT_REPLACEABLE = "Cannot replace output {path} ({reason}). Close it if it is open in Excel, make it writable, or choose another --out."
    WRITE_FAILED = "Cannot write {path}: {reason}. Nothing was written; check the folder and the free space, then run again."
    IN_SHEET = " (sheet '{sheet}')"
    # verify: the accuracy of the auto-coded answers, measured on a sample (issue 9).
    VERIFY_MODE = "Give either --sample N with --out FILE (draw a sample to code) or --against GOLD (compare with the coded sample), not {what}."
    VERIFY_NEEDS_OUT = "--sample needs --out FILE, the .xlsx or .csv the coordinator codes. Add --out and try again."
    BAD_SAMPLE_SIZE = "--sample must be 1 or more (got {value})."
    SAMPLE_FORMAT = "Cannot write {path}: unsupported file type '{suffix}'. Use .xlsx (with the codes on a second sheet) or .csv."
    NOT_PREDICT_OUTPUT = "{path} is not a 'predict' output: it has no '{column}' column (columns there: {columns}). Code it with 'survey-coder predict' first, or name the columns with --labels-column and --review-column."
    NO_AUTO_CODED = "{path} has no auto-coded answers (every answer is empty or has {column} true), so there is nothing to verify. Review the answers with 'survey-coder review' instead."
    GOLD_IS_CODED = "--against {path} is the coded file itself, whose codes are the model's. Give the sample the coordinator coded."
    GOLD_NOT_CODED = "{path} has no '{column}' column with the coordinator's codes. Code the sample (fill in its labels column), or name the column with --labels-column."
    GOLD_UNCODED = "None of the {n} rows of {path} has codes in column '{column}' yet. Code the sample first, then run verify again."
    GOLD_NO_OVERLAP = "None of the {n} coded answers in {gold} is an auto-coded answer of {coded} (matched by {by}). Compare the sample with the coded file it was drawn from."
    GOLD_CONFLICT = "{path}: the same answer is coded differently in rows {rows}. Make them agree, then run verify again."
    ID_NOT_UNIQUE = "Column '{column}' in {path} holds the id '{value}' more than once, so rows cannot be matched by it. Leave out --id-column to match by the answer text."
    ID_TEXT_MISMATCH = "{gold} row {row}: the answer with {column} '{value}' in {coded} is a different answer. Compare the sample with the coded file it was drawn from, and leave the sample's answers as they were drawn."
    # Themes: what the code frame lacks (issue 11).
    THEMES_BAD_COUNT = "--themes must be 'auto' or a whole number of 2 or more (got '{value}')."
    THEMES_BAD_SEED = "--seed must be a whole number of 0 or more (got {value})."
    THEMES_NO_ANSWERS = "No answers to group in {path}: {reason}. Check --text-column{hint}."
    THEMES_TOO_FEW = "Only {n} different answers to group in {path}{where}; themes needs at least {min}. Take more answers (leave out --where-code/--where-review, or add more years)."
    THEMES_TOO_MANY = "--themes {n} asks for more themes than there are different answers to group ({m}). Choose a smaller number, or auto."
    THEMES_TOO_LARGE = "{n} different answers in {path}{where}: themes groups at most {max} at a time. Narrow them with --where-code or --where-review, or take a sample."
    THEMES_NO_WORDS = "The answers in {path}{where} have no words to group them by (only stop words, numbers or punctuation)."
    THEMES_NONE = "No themes among the {n} answers in {path}{where}: each is a one-off or wanders between groups. Take more answers, or ask for a number with --themes N."
    THEMES_NO_REVIEW_COLUMN = "{path} has no '{column}' column, so --where-review cannot tell which answers were flagged. Code it with 'survey-coder predict' first, or use --where-code."
    THEMES_UNKNOWN_CODE = "No code '{code}' in {where}. Codes there are: {codes}. Name one of them with --where-code."
    THEMES_OUT_IS_FILE = "--out {path} is a file; name a folder for the theme files."
    THEMES_OUT_IS_INPUT = "The theme files would overwrite the input {path}. Choose another --out folder."
    # Cold start in `label` (issue 11).
    BAD_FIT_MODE = "SURVEY_CODER_FIT is '{value}'; it must be one of: {modes} (or unset)."
    FIT_PROCESS_DIED = "the training process ended with exit code {code}"  # a reason in COLDSTART_FIT_FAILED
    # The project folder and its questions (issue 10).
    NOT_IN_PROJECT = "No survey-coder project here: neither {cwd} nor a folder above it holds {file}. Make one with 'survey-coder init DIR' (add --example for a worked example), or name one with --project DIR."
    PROJECT_MISSING = "The project folder {path} (from {how}) does not exist. Name an existing folder, or make one with 'survey-coder init {path}'."
    INIT_NOT_EMPTY = "Cannot make a project in {path}: {what}. Name a new or empty folder for 'survey-coder init'."
    INIT_IS_FILE = "it is a file"
    INIT_HAS_FILES = "the folder is not empty ({files})"
    INIT_FAILED = "Cannot make the project folder {path}: {reason}. Nothing was written; check the folder's permissions and the free space."
    PROJECT_FILE_INVALID = "{path} is not valid TOML: {reason}. Fix that line (see the comments in the file, or the README's 'Your own survey')."
    QUESTIONS_INVALID = "{path}: {reason}. See the comments in the file for how a question is written."
    QUESTION_FIELD_MISSING = "question '{key}' has no '{field}'"
    QUESTION_FIELD_TYPE = "'{field}' of question '{key}' must be {kind}"
    QUESTION_FIELD_UNKNOWN = "question '{key}' has an unknown setting '{field}' (settings are: {known})"
    QUESTION_NO_KEY = "question number {n} in [[questions]] has no 'key'"
    QUESTION_BAD_KEY = "question key '{key}' must start with a letter and hold only letters a-z, digits and '_' (at most {max} characters): it starts the names of the output columns"
    QUESTIONS_NOT_TABLES = "'questions' must be written as [[questions]] tables or [questions.KEY] tables"
    QUESTION_TWICE = "{path}: question '{key}' is configured twice. Give each question its own key, or remove one."
    QUESTION_SAME_COLUMN = "{path}: questions '{first}' and '{second}' both code column '{column}' with the same code frame: the same question configured twice. Remove one."
    QUESTION_FRAME_MISSING = "Code frame {frame} of question '{key}' in {path} does not exist. Fix 'codeframe' there, or put the frame in labels/."
    QUESTION_DATA_MISSING = "Training data {data} of question '{key}' in {path} does not exist. Fix 'training_data' there, or put coded answers in training_data/."
    UNKNOWN_QUESTION = "No question '{key}' in {path}. Questions there: {keys}."
    NO_QUESTIONS = "No questions in {path}, so --question {key} names nothing. Add a [[questions]] table (see the comments in the file), or name the column with --text-column."
    NO_QUESTION_FOUND = "None of the questions in {project} has its column in {path}: {missing}. Columns there are: {columns}. Fix 'column' in {project}, or name one column with --text-column."
    QUESTION_COLUMN_AMBIGUOUS = "Column '{column}' of question '{key}' matches several columns in {path}: {matches}. Write the exact header as 'column' in {project}."
    QUESTION_MODEL_OPTION = "--{option} names one model or code frame, but {path} has {n} questions, each with its own. Set 'model' per question in {project}, or code one with --question KEY or --text-column."
    QUESTION_AND_TEXT_COLUMN = "--question and --text-column both say which column to use. Give one of them."
    BAD_LANGUAGE = "{path}: language = {value!r} is not a language this tool speaks. Use one of: {languages}."
    QUESTION_NOT_CODED = "{path} has no '{column}' column, so question '{key}' is not coded there. Code it first with 'survey-coder predict', or check --question."
    # Parts of the messages above: where ({where}, {path}) and why ({reason}).
    AT_ROW = "{path} row {row}"
    AT_RECORD = "{path} record {n}"
    JOIN_AND = " and "
    ANY_FRAME = "any"
    NO_FRAMES = "none"
    WITH_FRAME = " with code frame '{frame}'"
    NOT_UTF8 = "it is not UTF-8 text"
    JSONL_NOT_OBJECT = "not an object"
    CODEFRAME_WHERE = "code frame"
    CODEFRAME_NO_CODES = "it lists no [[codes]]"
    CODEFRAME_CODE_NO_KEY = "code number {n} has no key"
    CODEFRAME_DUPLICATE_KEYS = "duplicate keys {keys}"
    CODEFRAME_BAD_KEY = "key '{key}' holds ';' or spaces at its ends"
    CODEFRAME_BAD_FALLBACK = "fallback '{fallback}' is not one of its codes"
    CODEFRAME_SHARED_SHORTCUT = "two codes share a shortcut key"
    CODEFRAME_TOO_FEW_CODES = "it needs at least two codes"
    CODEFRAME_SUFFIX = "use a .toml or .json file"
    PREVIOUS_NOT_TABLE = "it must be a table"
    PREVIOUS_BAD_TARGET = "'{old}' must map to a code key or a list of code keys"
    PREVIOUS_UNKNOWN_TARGET = "'{old}' maps to '{new}', which is not a code of this version"
    PREVIOUS_STILL_A_CODE = "old code '{old}' is still a code of this version; give the changed codes new keys"
    # What a file is, for NOT_TEXT and NOT_A_WORKBOOK ("it is ...").
    KINDS = {
        "png": "a PNG image", "jpeg": "a JPEG image", "gif": "a GIF image", "pdf": "a PDF document",
        "xls": "an old Excel .xls (or other Office 97) file", "sav": "an SPSS .sav file", "zip": "a ZIP archive",
        "gzip": "a gzip archive", "7z": "a 7-Zip archive", "rar": "a RAR archive", "sqlite": "an SQLite database",
        "binary": "binary data, not text", "not_zip": "not a ZIP file (as every .xlsx file is)",
        "zip_no_workbook": "a ZIP archive without a workbook in it", "damaged_zip": "damaged ZIP file ({reason})",
    }
    # Team review: shared queue, resume by answer, double coding, adjudication (issue 12).
    REVIEW_NOW_NONE = "It has no decision of yours now."
    REVIEW_NOW_IN_FORCE = "In force now: your earlier {action} ({labels}, {when} UTC)."
    # The decisions of the store as REVIEW_UNDONE and REVIEW_NOW_IN_FORCE name them ({action}).
    ACTIONS = {"accept": "accept", "correct": "correct", "skip": "skip", "adjudicate": "adjudicate"}
    REVIEW_TAKEN = "'{text}' stayed on screen past its reservation and {who} has it now, so your codes were not recorded; here is the next answer."
    REVIEW_TAKEN_SELF = "'{text}' was decided in your other window meanwhile, so it was not recorded twice; here is the next answer."
    REVIEW_QUEUE_DONE = "The queue is done. Every answer in it has a decision."
    REVIEW_OTHERS_HAVE = "{n} answers of it are on other coordinators' screens; run the same command later for any they leave."
    BAD_DOUBLE = "--double must be 1 or more answers (got {value})."
    RISKIEST_NEEDS_DOUBLE = "--riskiest picks the answers of a double-coding sample; add --double N to plan one."
    ADJUDICATE_NEEDS_FRAME = "The decisions in {path} were imported without their code frame, so they cannot be adjudicated here. Name the code frame with --codeframe FILE."
    NOTHING_TO_ADJUDICATE = "No answer in {path} is coded differently by two coders under code frame '{frame}': nothing to adjudicate."
    ADJUDICATE_START = "{settled} of the {n} answers coders disagree on are adjudicated already; here are the rest (--again shows them all)."
    ADJUDICATE_DONE = "Every disagreement has its final codes. 'train' uses them (--disagreement adjudicated)."
    REVIEW_DEFINE_ARMED = "Press a code's key for its definition in full; d again closes the definitions."
    STORE_TOO_NEW = "Annotation store {path} was made by a newer survey-coder (store version {found}; this one knows {known}). Update survey-coder, or name another file with --store."


class Notes(metaclass=Catalogued):
    """One-line remarks the command line shows (not errors, not warnings)."""

    # Trust (issue 9): why an answer is on the review screen, and codes that disagree with p >= 0.5.
    WHY_REVIEW = "Why it needs review: {reason}."
    FALLBACK_BELOW_HALF = "'{code}' is suggested at p {p}: no other code reached 0.5, and '{code}' stands for none of them."
    FALLBACK_BESIDE = "'{code}' has p {p} but is not suggested: it never stands beside another code, and '{other}' ({q}) is likelier."
    FALLBACK_WINS = "'{code}' has p {p} but is not suggested: '{fallback}' ({q}) is likelier, and it stands alone."

    HEADER_FOUND = "Header: row {row}{where}; the rows above it look like titles (use --header-row N to choose another)."
    OVERWRITING = "Replacing {path} (--overwrite)."
    OF_SHEET = " of sheet '{sheet}'"
    # verify (issue 9): what the comparison means.
    VERIFY_BELOW = "Below the {target} target: even the interval's upper end ({high}) is under it."
    VERIFY_MEETS = "Meets the {target} target: the interval's lower end ({low}) is at or above it."
    VERIFY_UNCLEAR = "The interval holds the {target} target, so this sample cannot tell whether it is met; a larger sample narrows the interval."
    VERIFY_CUTOFF = "A confidence cutoff of {cutoff} would have met it on this sample ({accuracy} right of the {rows} sampled rows at or above it) and auto-coded {year} of the year's {answers} answers ({share}) instead of {auto} ({auto_share})."
    VERIFY_NO_CUTOFF = "No confidence cutoff meets the target on this sample: send more answers to review (a higher --target-precision in predict) and retrain with the coordinator's codes."
    VERIFY_ALL_DRAWN = "{path} has only {n} distinct auto-coded answers: all of them are in the sample."
    QUESTIONS_FOUND = "Questions in {path}: {found}."
    QUESTIONS_NOT_FOUND = "Not in this file (not coded): {missing}."
    TRAINING_FOR_QUESTION = "No trained model for code frame '{frame}' (question {key}) yet: training it first."
    NO_MODEL_YET = "No trained model yet: training the default model first."
    QUESTION_HEADER = "Question {key}: column '{column}', code frame '{frame}', model {model}"
    INIT_DONE = "Made the project folder {path}:"
    INIT_NEXT = "Next: {command}"
    # Team review (issue 12): the first screen of review and label.
    DECIDED_ELSEWHERE = "Not asked again: {n} of this file's answers, already decided in another file (the same answer under this code frame)."
    DOUBLE_PLANNED = "Planned a double-coding sample of {n} answers of this file ({method}; {asked} asked for). Two coordinators code each of them, blind."
    DOUBLE_KEPT = "This file's double-coding sample ({n} answers, {method}, planned by {who}) is kept as it was planned."
    AGREEMENT_INTERVALS = "95 % intervals: bootstrap over the {n} answers ({resamples} draws, seed {seed}); few answers give wide intervals."
    ADJUDICATE_HINT = "Settle the {n} not yet adjudicated with 'survey-coder adjudicate': train then prefers the final codes."
    DOUBLE_BLIND = "{n} answers of the double-coding sample come first, shown blind: no model suggestion, nobody else's codes."
    # Cold start in `label` (issue 11): which suggester the screen uses.
    COLDSTART_KEYWORDS = "suggestions: code frame examples"
    COLDSTART_NONE = "suggestions: none (the code frame has no examples)"
    COLDSTART_WAITING = " (a model once every code has {min} answers; {code} has {n})"
    COLDSTART_MODEL = "suggestions: model trained on {n} answers"
    COLDSTART_TRAINING = " · training a model on {n} answers"
    COLDSTART_FIT_FAILED = "No model could be trained on the {n} answers so far ({reason}); the suggestions stay as they were."
    # Numbers in the file's own convention (issue 13).
    DECIMAL_COMMA = "Numbers in {path} have decimal commas (0,97), as Norwegian Excel reads them; --decimal point writes 0.97."


class Warnings(metaclass=Catalogued):
    VERSION_DIFFERS = "Model {path} was trained with {package} {trained}; this is {installed}. Results may differ slightly; retrain to be sure."
    SKIPPED_UNCODED = "{n} rows without codes or without text were left out of training."
    ANNOTATIONS_OTHER_FRAME = "{n} decisions in {path} were made with another code frame and were not used in training."
    IMPORT_REJECTED = "{n} rows of {path} were not imported; fix them and import the file again (rows already imported are not doubled)."
    TRUSTED_MODEL = "Loading {path} without checking its files' hashes (--trust-model): a changed model may code differently from the one you trained."
    TRUSTED_PICKLE = "Opening the pickle in {path} (--trust-model): a tampered pickle runs any code on this machine. Convert it with 'survey-coder models --convert' so this is not needed again."
    # Drift: do a new year's answers still fit the model? (issue 4)
    DRIFT_LOW_CONFIDENCE = "{share} of the new answers get low confidence, against {expected} of the training answers in cross-validation: the new answers may be worded differently or be about new things. Review them, and retrain with some of them coded."
    DRIFT_UNSEEN_WORDS = "{share} of the words in the new answers never occur in the training answers, where about {expected} would be normal: new wording or new topics. Check a sample, and add coded answers from this year to the training data."
    DRIFT_CODE_SHARE = "Code '{name}' is given to {new} of the new answers but to {old} of the training answers; a change this large is unlikely by chance. The needs may have changed, or the model reads the new answers differently: check a sample of them."
    # What a drift warning leads to (issue 11).
    DRIFT_THEMES = "To see what is new in them, group them into themes: {command}"
    DRIFT_NO_VOCABULARY = "This kind of model cannot say which words it saw in training, so words new to it were not checked."
    DRIFT_NO_SHARES = "The model's metadata has no code shares from its training data, so changes in code shares were not checked."
    CURVE_SKIPPED = "{n} rows without codes or text were left out."
    CURVE_MOVED = "'evaluate --curve' is now the 'curve' command ('survey-coder curve --data PATH --out DIR'); it still runs here."
    SPLIT_CODE_SKIPPED = "{n} training answers carry code '{code}', which this code frame version split into {new}; they were left out of training. Recode them with the new codes to use them."
    YEAR_COLUMN_KEPT = "{path} already has a '{column}' column (values: {values}); it is kept as it is and --year {year} is not written into it."
    SPLIT_NOT_COMPARABLE = "In {years} code '{code}' had not yet been split (into {new}); those years are counted under '{group}', so compare that row across years."
    # Themes (issue 11)
    THEMES_NO_TRAINING_WORDS = "Model {model} does not give its training answers' word counts, so the theme words are contrasted with the other themes only, not with the training answers."
    THEMES_FEWER = "--themes {asked} asked for {asked} themes; {kept} are kept, because the others had fewer than {min_size} answers (their answers are left unassigned)."
