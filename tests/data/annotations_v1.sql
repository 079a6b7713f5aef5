-- An annotation store made by survey-coder at commit da37b2e (schema version 1: decisions, frames, meta),
-- dumped with sqlite3.Connection.iterdump(). tests/test_migration.py loads it and opens it with today's code.
BEGIN TRANSACTION;
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    answer_hash TEXT NOT NULL,          -- SHA-256 of the normalised answer text
    text TEXT NOT NULL,                 -- the answer as shown
    source TEXT NOT NULL,               -- file the answer came from (name)
    row_ids TEXT NOT NULL DEFAULT '',   -- ids or row numbers it stands for, joined by ';'
    n_rows INTEGER NOT NULL DEFAULT 1,  -- how many rows of the file it codes
    labels TEXT NOT NULL DEFAULT '',    -- codes chosen, joined by ';' (empty for skip/undo)
    action TEXT NOT NULL CHECK (action IN ('accept', 'correct', 'skip', 'undo')),
    annotator TEXT NOT NULL,
    created TEXT NOT NULL,              -- UTC, ISO 8601
    model TEXT NOT NULL DEFAULT '',     -- model version that made the suggestion ('' if none)
    suggested TEXT NOT NULL DEFAULT '', -- codes the model suggested
    frame_hash TEXT NOT NULL,
    frame_name TEXT NOT NULL DEFAULT '',
    undoes INTEGER REFERENCES decisions(id),  -- for action 'undo': the decision taken back
    session TEXT NOT NULL DEFAULT ''
);
INSERT INTO "decisions" VALUES(1,'ba444a14f5e42ec2ddc30938cb3b59c25d58abddc9843e1979f11980568cbcd1','Flere språkpraksisplasser i kommunen','kommuneundersokelsen_2020.csv','R001',1,'practice_placements','accept','kari','2026-11-20T09:00:00.000000+00:00','20261125-135140-imdi_kvalifisering@abc123','practice_placements','07587772f083cf41','imdi_kvalifisering',NULL,'s1');
INSERT INTO "decisions" VALUES(2,'e3f97b40eea0cbea62fe027d88d52c9e55e1a919e8ca398d0684f8c9ac7966ce','Mentorordning og samarbeid med lokale bedrifter','kommuneundersokelsen_2020.csv','R002;R017',2,'employer_cooperation','correct','kari','2026-11-20T09:00:05.000000+00:00','20261125-135140-imdi_kvalifisering@abc123','work_pathways','07587772f083cf41','imdi_kvalifisering',NULL,'s1');
INSERT INTO "decisions" VALUES(3,'286a447ae934a178311fd8050239b0ea6240a7308c0e0345c32103b7e4ff4725','Vet ikke','kommuneundersokelsen_2020.csv','R003',1,'','skip','kari','2026-11-20T09:00:09.000000+00:00','20261125-135140-imdi_kvalifisering@abc123','','07587772f083cf41','imdi_kvalifisering',NULL,'s1');
INSERT INTO "decisions" VALUES(4,'a03ace47d1d5ed444d0212673a58834475b179067a8ed4152f0af7adb51dcc97','Godkjenning av utdanning fra hjemlandet','kommuneundersokelsen_2020.csv','R004',1,'education_guidance','correct','kari','2026-11-20T09:00:15.000000+00:00','20261125-135140-imdi_kvalifisering@abc123','work_pathways','07587772f083cf41','imdi_kvalifisering',NULL,'s1');
INSERT INTO "decisions" VALUES(5,'a03ace47d1d5ed444d0212673a58834475b179067a8ed4152f0af7adb51dcc97','Godkjenning av utdanning fra hjemlandet','kommuneundersokelsen_2020.csv','R004',1,'','undo','kari','2026-11-29T11:30:21.326333+00:00','20261125-135140-imdi_kvalifisering@abc123','','07587772f083cf41','imdi_kvalifisering',4,'s1');
INSERT INTO "decisions" VALUES(6,'e3f97b40eea0cbea62fe027d88d52c9e55e1a919e8ca398d0684f8c9ac7966ce','Mentorordning og samarbeid med lokale bedrifter','kommuneundersokelsen_2020.csv','R002;R017',2,'employer_cooperation;work_pathways','correct','per','2026-11-20T10:00:00.000000+00:00','20261125-135140-imdi_kvalifisering@abc123','work_pathways','07587772f083cf41','imdi_kvalifisering',NULL,'s2');
CREATE TABLE frames (
    hash TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    definition TEXT NOT NULL            -- the code frame as JSON (keys, names, multi_label, fallback)
);
INSERT INTO "frames" VALUES('07587772f083cf41','imdi_kvalifisering','{"codes": [{"definition": "Needs for guidance on education: formal schooling and recognition of qualifications for refugees.", "examples": ["godkjenning av utdanning", "NOKUT", "realkompetanse", "grunnskole for voksne", "videregående", "vgs", "fagbrev", "lærlingplass", "kombinasjonsklasse", "fylkeskommunen", "utdanningsløp", "høyere utdanning"], "excludes": ["ren norskopplæring uten kobling til skole eller arbeid (other)", "arbeidsrettede kurs og bransjekurs uten formell utdanning (work_pathways)"], "includes": ["godkjenning av utenlandsk utdanning, NOKUT, dokumentasjon av utdanning", "realkompetansevurdering", "grunnskole for voksne, videregående opplæring (vgs), kombinasjonsklasser, norsk kombinert med skole", "fagbrev, lærlingeplass, fagopplæring, praksiskandidat", "høyere utdanning, universitet, høyskole", "avtaler med fylkeskommunen om vgs og utdanningsløp", "utdanningsløp i introduksjonsprogrammet, karriereveiledning mot utdanning"], "key": "education_guidance", "name": "Veiledning på utdanningsområdet", "shortcut": ""}, {"definition": "Needs for working with employers and business: contact, networks, recruitment and motivation of employers.", "examples": ["samarbeid med arbeidsgivere", "næringslivet", "bedrifter", "arbeidsgiverkontakt", "rekruttering", "mentor", "nettverk", "lokale arbeidsgivere", "arbeidslivet", "offentlige arbeidsgivere"], "excludes": ["å skaffe eller følge opp praksisplasser (practice_placements), unless employer cooperation is named as its own need"], "includes": ["kontakt og samarbeid med arbeidsgivere, bedrifter, næringsliv, næringsforeninger", "offentlige arbeidsgivere, kommunen som arbeidsgiver", "rekruttering, jobbmatching, arbeidsgiverkontakt i NAV", "mentorordninger og fadderordninger på arbeidsplassen", "nettverk, møteplasser med arbeidslivet, holdninger hos arbeidsgivere"], "key": "employer_cooperation", "name": "Samarbeid med nærings- og arbeidsliv", "shortcut": ""}, {"definition": "Needs concerning placements in the introduction programme: finding them, their quality and follow-up.", "examples": ["praksisplasser", "språkpraksis", "arbeidspraksis", "praksis", "praksisverter", "oppfølging i praksis", "gode praksisplasser"], "excludes": ["arbeidsrettede løp og tiltak i stort (work_pathways)"], "includes": ["språkpraksis, arbeidspraksis, praksisplass", "å finne nok eller gode praksisplasser", "oppfølging av deltakere i praksis, veiledning av praksisverter", "kvalitet og innhold i praksis, praksis som fører til jobb"], "key": "practice_placements", "name": "Praksisplasser i introduksjonsprogrammet", "shortcut": ""}, {"definition": "Needs for work-oriented qualification pathways and measures that lead to employment.", "examples": ["arbeidsrettede løp", "Jobbsjansen", "bransjekurs", "lønnstilskudd", "traineeordning", "arbeidsrettet norsk", "yrkesnorsk", "NAV-tiltak", "kvalifisering til arbeid", "jobbsøking"], "excludes": ["formell utdanning og fagbrev (education_guidance)"], "includes": ["arbeidsrettede løp og kvalifiseringsløp mot arbeid", "Jobbsjansen, bransjekurs, sektorkurs (helse, renhold, bygg, transport), førerkort som del av et løp", "traineeordninger, lønnstilskudd, NAV-tiltak, AMO-kurs", "arbeidsrettet norskopplæring, yrkesnorsk", "karriereveiledning mot arbeid, jobbsøking, CV"], "key": "work_pathways", "name": "Ulike arbeidsrettede løp", "shortcut": ""}, {"definition": "None of the above: housing, interpreters, health, plain Norwegian training, settlement, funding, ''vet ikke'' and the like. Never stands beside another code.", "examples": ["bolig", "tolk", "helse", "psykisk helse", "vet ikke", "ingen", "barnehage", "økonomi"], "excludes": [], "includes": ["bolig, tolk, helse og psykisk helse, barnehage", "norskopplæring alene, uten kobling til skole eller arbeid", "bosetting, økonomi og tilskudd, kapasitet i kommunen", "vet ikke, ingen behov, ikke aktuelt"], "key": "other", "name": "Annet", "shortcut": ""}], "fallback": "other", "multi_label": true, "name": "imdi_kvalifisering", "previous": {}, "question": "Hvilke tjenester har kommunen særskilt behov for når det gjelder kvalifisering og sysselsetting av flyktninger?", "source": "labels/imdi_kvalifisering.toml", "version": "1"}');
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO "meta" VALUES('schema_version','1');
CREATE INDEX decisions_answer ON decisions (answer_hash, frame_hash);
CREATE INDEX decisions_source ON decisions (source, frame_hash, annotator);
CREATE INDEX decisions_undoes ON decisions (undoes);
CREATE VIEW effective AS
    SELECT d.* FROM decisions d
    WHERE d.action != 'undo' AND NOT EXISTS (SELECT 1 FROM decisions u WHERE u.undoes = d.id);
CREATE VIEW latest AS
    SELECT e.* FROM effective e
    WHERE e.id = (SELECT MAX(e2.id) FROM effective e2
                  WHERE e2.answer_hash = e.answer_hash AND e2.frame_hash = e.frame_hash
                    AND e2.annotator = e.annotator);
DELETE FROM "sqlite_sequence";
INSERT INTO "sqlite_sequence" VALUES('decisions',6);
COMMIT;
