"""Every word the documents print, in Kazakh, Russian and English.

The Kazakh wording of the forms is copied from the seeds (000 app. 2, 4, 7, 8; 003 forms 1 and 2; 004 app. 2, 3;
002 app. 11, the Commission protocol that 004 app. 5 refers to); Russian and English are our translations,
not official texts. The legal names of the result categories are NOT typed here: :func:`result_name` reads them
from the rulebook catalogue (``domain/rulebooks/catalogue/results_s1.yaml`` for S-1,
``results_annual2018.yaml`` for M-4 and M-6), the same data the rulebooks include.

A label is looked up by key (:func:`label`); a missing key or language raises ``KeyError`` so that a template can
never print an empty or English-only line by accident (the tests render every document in every language).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

from domain.rulebooks import BUNDLED_DIR
from domain.vocabulary import Language, Method, ResultCategory, SanctionKind
from domain.yaml12 import Yaml12Loader

CATALOGUE = BUNDLED_DIR / "catalogue"

# key → (kk, ru, en)
LABELS: dict[str, tuple[str, str, str]] = {
    # --- every document ---
    "appendix": ("{n}-қосымша", "Приложение {n}", "Appendix {n}"),
    "appendix_to": (
        "«Б» корпусы мемлекеттік әкімшілік қызметшілерінің қызметін бағалау әдістемесіне",
        "к Методике оценки деятельности административных государственных служащих корпуса «Б»",
        "to the Methodology for evaluating the performance of B-corps administrative civil servants",
    ),
    "form": ("Нысан", "Форма", "Form"),
    "confidential": ("Құпия", "Конфиденциально", "Confidential"),
    "body": ("Мемлекеттік органның атауы", "Наименование государственного органа", "State body"),
    "period": ("Бағаланатын кезең", "Оцениваемый период", "Evaluated period"),
    "year": ("Бағаланатын жыл", "Оцениваемый год", "Evaluated year"),
    "evaluatee": ("Бағаланатын қызметшінің Т.А.Ә.", "Ф.И.О. оцениваемого служащего", "Evaluatee"),
    "evaluator": ("Бағалайтын адамның Т.А.Ә.", "Ф.И.О. оценивающего лица", "Evaluator"),
    "employee": ("Қызметшінің Т.А.Ә.", "Ф.И.О. служащего", "Employee"),
    "position": ("Лауазымы", "Должность", "Position"),
    "category_code": ("Санаты", "Категория", "Category"),
    "unit": ("Құрылымдық бөлімшенің атауы", "Структурное подразделение", "Structural unit"),
    "method": ("Бағалау әдісі", "Метод оценки", "Evaluation method"),
    "number": ("№", "№", "No."),
    "number_row": ("№ р/с", "№ п/п", "No."),
    "result": ("Бағалау нәтижесі", "Результат оценки", "Evaluation result"),
    "final_score": ("Қорытынды баға", "Итоговая оценка", "Final score"),
    "average_score": ("Орташа қорытынды баға", "Средняя итоговая оценка", "Average final score"),
    "result_basis": (
        "Қызметшінің бағалау нәтижесі орташа қорытынды бағаның негізінде қойылады.",
        "Результат оценки служащего выставляется на основании средней итоговой оценки.",
        "The employee's result is set on the basis of the average final score.",
    ),
    "in_absentia": (
        "Қызметші өзінің қатысуынсыз бағаланды.",
        "Служащий оценён без его участия.",
        "The employee was evaluated without their participation.",
    ),
    "hash": (
        "Қол қойылған мазмұнның хэші (SHA-256)",
        "Хэш подписанного содержания (SHA-256)",
        "Hash of the signed content (SHA-256)",
    ),
    "page": ("Бет", "Стр.", "Page"),
    "drawn_up_on": ("Жасалған күні", "Дата составления", "Drawn up on"),
    "place": ("Жасалған жері", "Место составления", "Place"),
    "doc_number": ("Тіркеу нөмірі", "Регистрационный номер", "Registration number"),
    "generated": ("Bagalau ақпараттық жүйесі", "Информационная система Bagalau", "Bagalau information system"),
    # --- signatures (R-3) ---
    "sign.evaluatee": ("Бағаланатын адам", "Оцениваемое лицо", "Evaluatee"),
    "sign.evaluator": ("Бағалайтын адам", "Оценивающее лицо", "Evaluator"),
    "sign.superior_head": ("Жоғары тұрған басшы", "Вышестоящий руководитель", "Superior head"),
    "sign.hr": (
        "Персоналды басқару қызметінің қызметкері",
        "Сотрудник службы управления персоналом",
        "HR service officer",
    ),
    "sign.chair": ("Комиссияның төрағасы", "Председатель комиссии", "Chair of the Commission"),
    "sign.member": ("Комиссияның мүшесі", "Член комиссии", "Member of the Commission"),
    "sign.secretary": ("Комиссияның хатшысы", "Секретарь комиссии", "Secretary of the Commission"),
    "sign.panel_member": (
        "Калибрлеу сессиясының мүшесі",
        "Член калибровочной сессии",
        "Member of the calibration session",
    ),
    "sign.appointing_official": ("Лауазымды тұлға", "Должностное лицо", "Appointing official"),
    "sign.witness": ("Мемлекеттік органның қызметшісі", "Служащий государственного органа", "Employee of the body"),
    "sign.name_hint": ("(тегі, аты-жөні)", "(фамилия, инициалы)", "(surname, name)"),
    "sign.date": ("күні", "дата", "date"),
    "sign.signature": ("қолы", "подпись", "signature"),
    "sign.eds": (
        "электрондық цифрлық қолтаңба арқылы куәландырылған",
        "удостоверено электронной цифровой подписью",
        "certified by an electronic digital signature",
    ),
    "sign.not_signed": ("қол қойылмаған", "не подписано", "not signed"),
    "approve": ("БЕКІТЕМІН", "УТВЕРЖДАЮ", "APPROVED"),
    "checked": ("Тексерілді", "Проверено", "Checked"),
    # --- parameter sheets: 000 app. 4 (differentiation), 003 forms 1 and 2 ---
    "sheet.title.differentiation": (
        "Саралау әдісі бойынша бағалау парағы",
        "Оценочный лист по методу дифференциации",
        "Evaluation sheet: differentiation method",
    ),
    "sheet.title.form1": (
        "Басшы лауазымды атқаратын адамның бағалау парағы",
        "Оценочный лист лица, занимающего руководящую должность",
        "Evaluation sheet of a person in a leadership position",
    ),
    "sheet.title.form2": (
        "Басшы лауазымды атқармайтын адамның бағалау парағы",
        "Оценочный лист лица, не занимающего руководящую должность",
        "Evaluation sheet of a person not in a leadership position",
    ),
    "sheet.parameters": ("Параметрлер", "Параметры", "Parameters"),
    "sheet.criteria": ("Критерийлер", "Критерии", "Criteria"),
    "sheet.criteria_003": ("Толтыру кезінде түсініктеме", "Пояснение к заполнению", "How to fill in"),
    "sheet.score_0_5": ("Бағалау (0-ден 5 баллға дейін)", "Оценка (от 0 до 5 баллов)", "Score (0 to 5)"),
    "sheet.score_0_5_star": ("Бағалау (0*-ден 5 баллға дейін)", "Оценка (от 0* до 5 баллов)", "Score (0* to 5)"),
    "sheet.comment": ("Түсініктеме (қалау бойынша)", "Комментарий (по желанию)", "Comment (optional)"),
    "sheet.average_note": (
        "Ескертпе: Орташа қорытынды бағаны есептеу үшін қойылған бағалар сомасын бағаланатын параметрлер санына "
        "бөлу керек.",
        "Примечание: для расчёта средней итоговой оценки сумма выставленных оценок делится на количество "
        "оцениваемых параметров.",
        "Note: the average final score is the sum of the scores divided by the number of parameters evaluated.",
    ),
    "sheet.zero_note": (
        "* Бағалаудың 0 баллы қызметші бағалау параметрін толық орындамаған жағдайда қойылады.",
        "* Оценка 0 баллов ставится, если служащий не выполнил параметр оценки.",
        "* A score of 0 is given when the employee did not perform the parameter.",
    ),
    "sheet.justification": ("Қойылған бағаға негіздеме", "Обоснование выставленной оценки", "Justification"),
    "sheet.cap": (
        "Тәртіптік жаза: {sanction}, {date}. Баға {max} баллдан аспауы тиіс.",
        "Дисциплинарное взыскание: {sanction}, {date}. Оценка не должна превышать {max} балла.",
        "Disciplinary sanction: {sanction}, {date}. The score may not exceed {max}.",
    ),
    "sheet.cap_applied": (
        "Орташа баға {average} шектеуге дейін төмендетілді: қорытынды баға {score}.",
        "Средняя оценка {average} снижена до предельной: итоговая оценка {score}.",
        "The average {average} was lowered to the cap: final score {score}.",
    ),
    "sheet.cap_not_applied": (
        "Орташа баға {average} шектеуден аспайды.",
        "Средняя оценка {average} не превышает предельную.",
        "The average {average} does not exceed the cap.",
    ),
    "sanction.warning": ("ескерту", "замечание", "warning"),
    "sanction.reprimand": ("сөгіс", "выговор", "reprimand"),
    "sanction.severe_reprimand": ("қатаң сөгіс", "строгий выговор", "severe reprimand"),
    "sanction.other": ("жазаның өзге түрі", "иной вид взыскания", "other sanction"),
    # --- KPI sheet: 000 app. 2 (K-4, K-5) ---
    "kpi.title": ("НМИ бойынша бағалау парағы", "Оценочный лист по ЦИ", "KPI evaluation sheet"),
    "kpi.name": ("НМИ атауы", "Наименование ЦИ", "KPI"),
    "kpi.unit": ("Өлшем бірлігі", "Единица измерения", "Unit"),
    "kpi.plan": ("Жоспарлы мәні", "Плановое значение", "Plan"),
    "kpi.actual": ("Нақты мәні", "Фактическое значение", "Actual"),
    "kpi.achievement": ("НМИ пайыздық іске асуы", "Процент достижения ЦИ", "Achievement"),
    "kpi.allowed": ("Рұқсат етілген бағалау ауқымы", "Допустимый диапазон оценки", "Allowed range"),
    "kpi.score": ("Бағалау", "Оценка", "Score"),
    "kpi.lower_is_better": ("(азы жақсы)", "(чем меньше, тем лучше)", "(lower is better)"),
    "kpi.final_note": (
        "НМИ санына бөлінген НМИ бойынша бағалау сомасы",
        "сумма оценок по ЦИ, делённая на количество ЦИ",
        "sum of the KPI scores divided by the number of KPIs",
    ),
    "kpi.count": ("НМИ саны", "Количество ЦИ", "Number of KPIs"),
    "kpi.range_note": (
        "Ескертпе: Бағалау нысаналы мақсатты индикаторды іске асыру пайызына байланысты айқындалады. Бұл ретте "
        "рұқсат етілген ауқымда бағалаушы адам өз қалауы бойынша баға қояды.",
        "Примечание: оценка определяется процентом достижения целевого индикатора; в пределах допустимого "
        "диапазона оценивающее лицо выставляет оценку по своему усмотрению.",
        "Note: the score depends on the KPI's achievement percentage; within the allowed range the evaluator "
        "chooses freely.",
    ),
    # --- KPI-count sheet: 004 app. 2 (M-4, M-5) ---
    "kpicount.achieved_column": (
        "Көрсеткішке қол жетті/көрсеткішке қол жетпеді",
        "Показатель достигнут/показатель не достигнут",
        "Indicator achieved / not achieved",
    ),
    "kpicount.achieved": ("көрсеткішке қол жетті", "показатель достигнут", "achieved"),
    "kpicount.not_achieved": ("көрсеткішке қол жетпеді", "показатель не достигнут", "not achieved"),
    "kpicount.summary_label": ("Қол жеткізілген НМИ саны", "Достигнуто ЦИ", "KPIs achieved"),
    "kpicount.summary": ("{achieved} / {total}", "{achieved} из {total}", "{achieved} of {total}"),
    # --- competency sheet: 004 app. 3 (M-6) ---
    "comp.title": ("Құзыреттер бойынша бағалау парағы", "Оценочный лист по компетенциям", "Competency sheet"),
    "comp.name": ("Құзыреттер атауы", "Наименование компетенций", "Competency"),
    "comp.result": (
        "Бағалау нәтижелері (күтілетін нәтижеге сәйкес/күтілетін нәтижеге сәйкес емес)",
        "Результаты оценки (соответствует/не соответствует ожидаемому результату)",
        "Result (meets / does not meet the expected result)",
    ),
    "comp.observed": ("Байқалған индикаторлар", "Проявленные индикаторы", "Indicators observed"),
    "comp.not_observed": (
        "Қызметшіде байқамаған мінез-құлық индикатор атауы (күтілетін нәтижеге сәйкес емес бағасын алған жағдайда)",
        "Поведенческие индикаторы, не проявленные служащим (при оценке «не соответствует»)",
        "Behaviour indicators not observed (when the result is “does not meet”)",
    ),
    "comp.public_note": (
        "*Лауазымдық міндеттеріне мемлекеттік қызмет көрсету мәселелері жатпайтын «Б» корпусының мемлекеттік "
        "қызметшілері «Қызметті тұтынушыға бағдарлану» және «Қызметті тұтынушыларды хабарландыру» құзыреттері "
        "бойынша бағаланбайды.",
        "*Служащие корпуса «Б», в должностные обязанности которых не входит оказание государственных услуг, "
        "не оцениваются по компетенциям «Ориентация на потребителя услуг» и «Информирование потребителей услуг».",
        "*B-corps employees whose duties do not include public services are not rated on “customer orientation” "
        "and “informing customers”.",
    ),
    "comp.threshold_note": (
        "Құзырет бойынша мінез-құлық индикаторларының 3/4 немесе одан көбі байқалған жағдайда «күтілетін нәтижеге "
        "сәйкес» бағасы қойылады.",
        "Оценка «соответствует ожидаемому результату» ставится, если проявлено 3/4 или более поведенческих "
        "индикаторов компетенции.",
        "“Meets the expected result” is given when 3/4 or more of a competency's behaviour indicators were observed.",
    ),
    # --- calibration protocol (C-5…C-7) ---
    "cal.title": ("Калибрлеу сессиясының хаттамасы", "Протокол калибровочной сессии", "Calibration session protocol"),
    "cal.disputed": ("Даулы баға", "Оспариваемая оценка", "Disputed score"),
    "cal.applied_on": ("Өтініш берілген күн", "Дата заявления", "Application filed on"),
    "cal.composed_on": ("Құрамы бекітілген күн", "Дата утверждения состава", "Composition approved on"),
    "cal.appointing_official": (
        "Құрамды бекіткен лауазымды тұлға",
        "Должностное лицо, утвердившее состав",
        "Official who approved the composition",
    ),
    "cal.held_on": ("Сессия өткізілген күн", "Дата проведения сессии", "Session held on"),
    "cal.composition": ("Калибрлеу сессиясының құрамы", "Состав калибровочной сессии", "Composition of the session"),
    "cal.member": ("Мүшенің Т.А.Ә.", "Ф.И.О. члена", "Member"),
    "cal.vote": ("Қолдаған баға", "Поддержанная оценка", "Score supported"),
    "cal.argument": ("Дәлелдер", "Доводы", "Arguments"),
    "cal.hr_mark": ("(персоналды басқару қызметі)", "(служба управления персоналом)", "(HR service)"),
    "cal.employee_argument": (
        "Қызметшінің келіспеу дәлелдері",
        "Доводы служащего о несогласии",
        "The employee's grounds for disagreement",
    ),
    "cal.decision": (
        "Шешім: калибрлеу сессиясы мүшелерінің басым дауысымен ({majority}) қызметшіге қорытынды баға {score} қойылды.",
        "Решение: большинством голосов членов калибровочной сессии ({majority}) служащему выставлена итоговая "
        "оценка {score}.",
        "Decision: by a majority of the members ({majority}) the final score {score} was adopted.",
    ),
    "cal.majority": ("{votes} / {members} дауыс", "{votes} из {members} голосов", "{votes} of {members} votes"),
    "cal.changed": (
        "Баға {before} → {after} өзгертілді.",
        "Оценка изменена: {before} → {after}.",
        "The score was changed: {before} → {after}.",
    ),
    "cal.unchanged": (
        "Бағалаушы адамның бағасы өзгеріссіз қалдырылды.",
        "Оценка оценивающего лица оставлена без изменения.",
        "The evaluator's score was left unchanged.",
    ),
    "cal.post_by": (
        "Хаттама ақпараттық жүйеге {date} дейін орналастырылады.",
        "Протокол размещается в информационной системе не позднее {date}.",
        "The protocol is placed in the information system by {date}.",
    ),
    # --- Commission protocol: 004 app. 5 / 002 app. 11 (M-7) ---
    "com.title": (
        "Бағалау жөніндегі комиссия отырысының хаттамасы",
        "Протокол заседания комиссии по оценке",
        "Protocol of the meeting of the Evaluation Commission",
    ),
    "com.body_hint": ("(мемлекеттік органның атауы)", "(наименование государственного органа)", "(state body)"),
    "com.period_hint": ("(бағалау мерзімі, жыл)", "(период оценки, год)", "(evaluated year)"),
    "com.meeting_date": ("Отырыс күні", "Дата заседания", "Meeting date"),
    "com.composition": ("Комиссия құрамы", "Состав комиссии", "Composition of the Commission"),
    "com.role.chair": ("Төраға", "Председатель", "Chair"),
    "com.role.member": ("Мүше", "Член", "Member"),
    "com.role.secretary": ("Хатшы (дауыс бермейді)", "Секретарь (без права голоса)", "Secretary (does not vote)"),
    "com.present": ("қатысты", "присутствовал(а)", "present"),
    "com.absent": ("қатыспады", "отсутствовал(а)", "absent"),
    "com.quorum": (
        "Кворум: дауыс беретін {total} мүшенің {present} қатысты (кемінде {required} қажет) — {verdict}.",
        "Кворум: присутствуют {present} из {total} членов с правом голоса (необходимо не менее {required}) — "
        "{verdict}.",
        "Quorum: {present} of {total} voting members present ({required} required) — {verdict}.",
    ),
    "com.quorum_met": ("отырыс өкілетті", "заседание правомочно", "the meeting is competent"),
    "com.quorum_not_met": ("кворум жоқ", "кворум отсутствует", "no quorum"),
    "com.results": ("Бағалау нәтижелері", "Результаты оценки", "Evaluation results"),
    "com.employee": (
        "Қызметшілердің тегі, аты, әкесінің аты (болған жағдайда)",
        "Фамилия, имя, отчество (при его наличии) служащих",
        "Employee's full name",
    ),
    "com.result_info": ("Бағалау нәтижелері туралы мәлімет", "Сведения о результатах оценки", "Evaluation result"),
    "com.votes": (
        "Дауыс беру (бекіту / қайта қарау)",
        "Голосование (утвердить / пересмотреть)",
        "Votes (approve / revise)",
    ),
    "com.corrected": (
        "Бағалау нәтижелері комиссиямен түзетілуі (бар болған жағдайда)",
        "Корректировка результатов оценки комиссией (при наличии)",
        "Corrected by the Commission (if any)",
    ),
    "com.recommendations": ("Комиссияның ұсыныстары", "Рекомендации комиссии", "Commission's recommendations"),
    "com.casting_vote": (
        "* дауыс саны тең болғанда төрағаның дауысы шешуші болды",
        "* при равенстве голосов решающим был голос председателя",
        "* a tie decided by the chair's casting vote",
    ),
    "com.conclusion": ("Комиссия қорытындысы", "Заключение комиссии", "Conclusion of the Commission"),
    "com.approved": (
        "Бағалау нәтижелері бекітілді",
        "Результаты оценки утверждены",
        "Evaluation results approved",
    ),
    # --- act of refusal (M-8, 004 §41-42) ---
    "act.title": (
        "Бағалау нәтижелерімен танысудан бас тарту туралы акт",
        "Акт об отказе от ознакомления с результатами оценки",
        "Act of refusal to acknowledge the evaluation results",
    ),
    "act.statement": (
        "Біз, төменде қол қойғандар, персоналды басқару қызметінің қызметкері және мемлекеттік органның екі "
        "қызметшісі, осы актіні мынаған байланысты жасадық: төменде көрсетілген қызметші бағалау нәтижелерімен "
        "жазбаша танысудан бас тартты.",
        "Мы, нижеподписавшиеся, сотрудник службы управления персоналом и два служащих государственного органа, "
        "составили настоящий акт о том, что указанный ниже служащий отказался ознакомиться с результатами оценки "
        "в письменной форме.",
        "We, the undersigned, an HR service officer and two employees of the state body, have drawn up this act "
        "stating that the employee named below refused to acknowledge the evaluation results in writing.",
    ),
    "act.drawn_up_by": (
        "Актіні жасаған персоналды басқару қызметінің қызметкері",
        "Акт составил сотрудник службы управления персоналом",
        "Drawn up by the HR service officer",
    ),
    "act.witnesses": (
        "Мемлекеттік органның қызметшілері (куәлар)",
        "Служащие государственного органа (свидетели)",
        "Employees of the body (witnesses)",
    ),
    "act.refused_on": ("Бас тартқан күні", "Дата отказа", "Refused on"),
    "act.circumstances": ("Мән-жайы", "Обстоятельства", "Circumstances"),
    "act.consequence": (
        "Танысудан бас тарту бағалау нәтижелерін қызметшінің қызметтік тізіміне енгізуге кедергі болмайды. "
        "Бағалау нәтижесі мемлекеттік органдардың интранет-порталы арқылы жолданады.",
        "Отказ от ознакомления не препятствует внесению результатов оценки в послужной список служащего. "
        "Результат оценки направляется через интранет-портал государственных органов.",
        "The refusal does not prevent the result from being entered in the employee's service record. The result "
        "is sent through the state bodies' intranet portal.",
    ),
    # --- 360 individual report: 000 app. 7 and 8 (T-6) ---
    "r360.title.heads": (
        "Қызметшіні 360 әдісімен бағалау нәтижесі",
        "Результаты оценки служащего методом 360",
        "Results of the 360 evaluation",
    ),
    "r360.title.others": (
        "Қызметшіні 360 градус әдісімен бағалау нәтижелері",
        "Результаты оценки служащего методом 360 градусов",
        "Results of the 360-degree evaluation",
    ),
    "r360.subtitle.heads": (
        "(құрылымдық бөлімшелердің/ведомствоның аумақтық бөлімшелердің басшылары үшін)",
        "(для руководителей структурных подразделений/территориальных подразделений ведомства)",
        "(for heads of structural units / territorial units)",
    ),
    "r360.subtitle.others": (
        "(«Б» корпусының қызметшілері үшін)",
        "(для служащих корпуса «Б»)",
        "(for B-corps employees)",
    ),
    "r360.evaluatee.heads": (
        "Құрылымдық бөлімше/ведомствоның аумақтық бөлімшесі басшысының Т.А.Ә.",
        "Ф.И.О. руководителя структурного подразделения",
        "Head of unit",
    ),
    "r360.competency": ("Құзырет", "Компетенция", "Competency"),
    "r360.average": (
        "Құзыреттер бойынша орташа қорытынды баға",
        "Средняя итоговая оценка по компетенции",
        "Average final score",
    ),
    "r360.self": ("Өзін-өзі бағалау", "Самооценка", "Self-assessment"),
    "r360.others": ("Респонденттердің бағасы", "Оценка респондентов", "Respondents"),
    "r360.radar": ("Паутинка", "Паутинка", "Radar chart"),
    "r360.respondents": ("Респонденттер саны", "Число респондентов", "Respondents"),
    "r360.overall": (
        "Құзыреттер бойынша жалпы орташа баға",
        "Общая средняя оценка по компетенциям",
        "Overall average of the competencies",
    ),
    "r360.note": (
        "Әрбір құзырет бойынша бағалаудың орташа қорытынды нәтижелерін есептеу автоматты режимде әрбір "
        "респонденттің баллдарын қосу және респонденттердің санына бөлу (өзін-өзі бағалаудан басқа) арқылы "
        "жүзеге асырылады.",
        "Средние итоговые результаты по каждой компетенции рассчитываются автоматически: баллы каждого "
        "респондента суммируются и делятся на число респондентов (без учёта самооценки).",
        "Each competency's average is computed automatically: the respondents' points are added and divided by "
        "the number of respondents (self-assessment excluded).",
    ),
    "r360.anonymous": (
        "Бағалау анонимді: респонденттердің кім екені көрсетілмейді.",
        "Оценка анонимна: респонденты не указываются.",
        "The survey is anonymous: respondents are not named.",
    ),
    # --- result notice (C-1, C-2, M-8, M-9) ---
    "notice.title": (
        "Бағалау нәтижесі туралы хабарлама",
        "Уведомление о результате оценки",
        "Notice of the evaluation result",
    ),
    "notice.greeting": ("Құрметті {name}!", "Уважаемый(ая) {name}!", "Dear {name},"),
    "notice.intro": (
        "Сіздің қызметіңізді бағалау нәтижесі ({period}):",
        "Результат оценки вашей деятельности ({period}):",
        "The result of the evaluation of your performance ({period}):",
    ),
    "notice.completed_on": ("Бағалау аяқталған күн", "Дата завершения оценки", "Evaluation completed on"),
    "notice.calibrated": (
        "Калибрлеу сессиясынан кейінгі баға",
        "Оценка после калибровочной сессии",
        "Score after the calibration session",
    ),
    "notice.acquaint_by": ("Танысу мерзімі", "Срок ознакомления", "Acknowledge by"),
    "notice.disagree.calibration": (
        "Нәтижемен келіспеген жағдайда Сіз {date} дейін (танысқан күннен бастап бес жұмыс күні ішінде) "
        "лауазымға тағайындауға құқығы бар лауазымды адамға ({official}) калибрлеу сессиясын өткізу жөнінде еркін "
        "нысанда өтінішпен жүгіне аласыз.",
        "В случае несогласия с результатом вы вправе до {date} (в течение пяти рабочих дней со дня ознакомления) "
        "обратиться к должностному лицу, имеющему право назначения ({official}), с заявлением в произвольной "
        "форме о проведении калибровочной сессии.",
        "If you disagree with the result, you may apply in free form to the appointing official ({official}) for "
        "a calibration session by {date} (within five working days of acquaintance).",
    ),
    "notice.disagree.commission": (
        "Комиссия шешіміне {date} дейін мемлекеттік қызмет істері жөніндегі уәкілетті органға немесе оның "
        "аумақтық департаментіне шағымдануға болады; бағалау нәтижелеріне сот тәртібімен де шағымдануға болады.",
        "Решение Комиссии может быть обжаловано до {date} в уполномоченном органе по делам государственной "
        "службы или его территориальном департаменте; результаты оценки могут быть обжалованы и в судебном "
        "порядке.",
        "The Commission's decision may be appealed to the authorised civil-service body or its territorial "
        "department by {date}; the results may also be challenged in court.",
    ),
    # --- methods ---
    "method.kpi": ("НМИ бойынша бағалау", "Оценка по целевым индикаторам", "KPI method"),
    "method.differentiation": ("Саралау әдісі", "Метод дифференциации", "Differentiation method"),
    "method.form1": ("Басшы лауазымдардың бағалау парағы", "Оценочный лист руководящих должностей", "Form 1"),
    "method.form2": ("Өзге лауазымдардың бағалау парағы", "Оценочный лист иных должностей", "Form 2"),
    "method.kpi_count": ("Жеке жұмыс жоспарының НМИ", "ЦИ индивидуального плана работы", "Yearly KPIs"),
    "method.competencies": ("Құзыреттерді бағалау", "Оценка компетенций", "Competencies"),
    "method.survey_360": ("360 әдісі", "Метод 360", "360 method"),
    # --- charts ---
    "chart.distribution": (
        "Бағалау нәтижелерінің бөлімшелер бойынша бөлінуі",
        "Распределение результатов оценки по подразделениям",
        "Results by unit",
    ),
    "chart.count": ("Қызметшілер саны", "Число служащих", "Employees"),
}


def label(key: str, language: Language | str, **values: object) -> str:
    """The label ``key`` in ``language``, with ``{placeholders}`` filled from ``values``."""
    text = LABELS[key][_INDEX[Language(language)]]
    if not values:
        return text
    for name, value in values.items():
        # a value that ends its own sentence ("24 апреля 2025 г.") takes the template's full stop: no "г.."
        if str(value).endswith(".") and "{" + name + "}." in text:
            text = text.replace("{" + name + "}.", "{" + name + "}")
    return text.format(**values)


_INDEX: dict[Language, int] = {Language.KK: 0, Language.RU: 1, Language.EN: 2}


def method_name(method: Method | str, language: Language | str) -> str:
    return label(f"method.{Method(method).value}", language)


def sanction_name(kind: SanctionKind | str, language: Language | str) -> str:
    return label(f"sanction.{SanctionKind(kind).value}", language)


# --- result names from the rulebook catalogue (S-1, M-4, M-6) -------------------------------------------------


@cache
def _catalogue(name: str) -> dict[str, Any]:
    text = (CATALOGUE / name).read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.load(text, Loader=Yaml12Loader)
    return data


def _s1_names() -> dict[str, dict[str, str]]:
    return {band["category"]: band["name"] for band in _catalogue("results_s1.yaml")["bands"]}


def result_name(category: ResultCategory | str, language: Language | str, *, method: Method | str | None = None) -> str:
    """The legal name of a result in ``language``: S-1 bands for scored methods, 004's words for M-4 and M-6.

    ``method`` ``kpi_count`` takes the M-4 words (``өте жақсы``, ``тиімді`` …), ``competencies`` the M-6 words;
    every other method (and None) the S-1 names (``Функционалдық міндеттерін тиімді атқарады`` …).
    """
    lang = Language(language).value
    key = ResultCategory(category).value
    annual = _catalogue("results_annual2018.yaml")
    if method is not None and Method(method) == Method.KPI_COUNT:
        return str(annual["kpi_result_names"][key][lang])
    if key in annual["competency_result_names"]:
        return str(annual["competency_result_names"][key][lang])
    if key in _s1_names():
        return _s1_names()[key][lang]
    return str(annual["kpi_result_names"][key][lang])


# --- which appendix of its methodology a document follows (Requisites.appendix) --------------------------------

# family → document key → appendix number; a key is a method (sheets), a DocumentKind, or "report_360_heads"/"…_others"
FORM_APPENDIX: dict[str, dict[str, int]] = {
    "model-2018": {"kpi": 2, "differentiation": 4, "report_360_heads": 7, "report_360_others": 8},
    "quarterly-2026": {"form1": 1, "form2": 2},
    "annual-commission-2018": {"kpi_count": 2, "competencies": 3, "commission_protocol": 5},
}
# a rulebook whose text numbers its appendices otherwise: 002 (Atyrau) amends No. 57 and adds app. 10 and 11
RULEBOOK_APPENDIX: dict[str, dict[str, int]] = {"kz-atyrau-2023": {"kpi_count": 10, "commission_protocol": 11}}


def appendix_of(rulebook_id: str, family: str, key: str) -> int | None:
    """The appendix number a document follows, for ``Requisites.appendix``; None for free-form documents.

    ``key`` is the sheet's method (``differentiation``, ``form1`` …), ``commission_protocol``, or
    ``report_360_heads`` / ``report_360_others``: ``appendix_of("kz-model-2018", "model-2018", "differentiation")``
    is 4 (000 app. 4).
    """
    specific = RULEBOOK_APPENDIX.get(rulebook_id, {})
    if key in specific:
        return specific[key]
    return FORM_APPENDIX.get(family, {}).get(key)


def catalogue_path(name: str) -> Path:
    """Where a catalogue file lives (for tests that compare the printed names with the data)."""
    return CATALOGUE / name
