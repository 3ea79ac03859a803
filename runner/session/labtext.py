"""The message catalogue of the trainee's side: the ``lab`` command, the lab banner,
the prompts and tables ``dflab`` shows a trainee, and the session service's refusals.

One place for every language: add a language by adding one column (a dict of the
same keys) to ``CATALOGUE``; a key missing from it falls back to English. This
file must stay standard-library only: lab images copy it beside the ``lab``
client (``/opt/dflab/labtext.py``).
"""

from __future__ import annotations

from typing import Any

DEFAULT_LANG = "en"

# What people type for a language that has another ISO 639-1 code.
LANG_ALIASES = {"ua": "uk", "ukr": "uk", "rus": "ru", "eng": "en", "gb": "en", "us": "en"}

EN: dict[str, str] = {
    "usage": (
        "usage: lab COMMAND [ARGS] [--json]\n\n"
        "  lab tasks                 list the tasks, their points and your progress\n"
        "  lab show ID               the full question, hints taken and your attempts\n"
        "  lab answer ID VALUE...    answer a task (VALUE @file reads the answer from a file)\n"
        "  lab submit ID PATH        submit a file you produced under /work\n"
        "  lab hint ID [--yes]       take the next hint (shows its cost and asks first)\n"
        "  lab score                 your score so far\n"),
    "banner.local": "Local lab (NOT isolated: this shell runs on the host as you).",
    "banner.evidence": "Evidence (read-only): {path}",
    "banner.work": "Your work folder:     {path}",
    "banner.begin": "Run 'lab tasks' to begin; 'lab --help' lists every command; "
                    "'exit' leaves the lab.",
    "tasks.head": "{title}  —  score {score}",
    "tasks.tries": "tries",
    "tasks.legend": "✔ solved   ◐ partly right   ✘ wrong so far   ⊘ locked   · not tried",
    "tasks.time_left": "Time left: {hours}h {minutes}m",
    "tasks.footer": "'lab show ID' for a task's full text; 'lab answer ID VALUE' to answer.",
    "show.head": "[{id}] {points} points, answer type: {type}",
    "show.locked": "Locked: solve {tasks} first.",
    "show.hint": "Hint {n} (-{cost} point(s)): {text}",
    "show.hints_left": "{n} more hint(s) available, the next costs {cost} point(s): "
                       "'lab hint {id}'.",
    "show.attempts_limited": "Attempts: {used} of {limit} used, {left} left.",
    "show.attempts_free": "Attempts: {used} (no limit).",
    "show.solved": "Solved: {earned}/{points} points.",
    "explanation": "Explanation: {text}",
    "status.correct": "CORRECT",
    "status.partial": "PARTLY RIGHT",
    "status.wrong": "NOT CORRECT",
    "status.invalid": "NOT ACCEPTED",
    "verdict.points": "task {task}: {earned}/{points} points",
    "verdict.left": "{n} attempt(s) left",
    "verdict.none_left": "no attempts left: the task is closed",
    "verdict.not_counted": "not counted as an attempt",
    "verdict.unlocked": "Now open: {tasks}.",
    "hint.confirm": "Hint {n} of {total} for task {id} costs {cost} point(s) "
                    "(at most {after} left for the task). Take it? [y/N] ",
    "hint.declined": "No hint taken.",
    "hint.need_yes": "taking a hint costs {cost} point(s) (fix: run 'lab hint {id} --yes' "
                     "to confirm)",
    "hint.none": "no more hints for task '{id}'",
    "hint.text": "Hint ({cost} point(s) off): {text}",
    "score.line": "Score: {score}/{max} ({solved}/{total} tasks solved, {hints} hint(s) taken)",
    "err.fix": "fix",
    "err.unknown_command": "unknown command '{op}' (fix: run 'lab --help')",
    "err.arguments": "wrong arguments for '{op}' (fix: run 'lab --help')",
    "err.no_service": "the lab service is not running ({path}) "
                      "(fix: on the host, run 'dflab resume' for this session)",
    "err.unreachable": "cannot reach the lab service: {error}",
    "err.unreadable_reply": "the lab service sent an unreadable reply",
    "err.file_too_big": "{path}: the answer file is {size} bytes; the limit is {limit} "
                        "(fix: shorten it, or use 'lab submit' for files)",
    "err.file_unreadable": "{path}: cannot read the answer file: {error}",
    "err.file_not_utf8": "{path}: byte {byte} is not UTF-8 text (fix: save the file as UTF-8)",
    "err.text_not_utf8": "the answer holds bytes that are not UTF-8 text "
                         "(fix: retype it, or use @file)",
    "err.too_long": "the answer is {size} bytes; the limit is {limit} "
                    "(fix: shorten it, or use 'lab submit' for files)",
    "err.no_task": "no task '{id}'",
    "err.no_task.fix": "'lab tasks' lists them: {ids}",
    "err.locked": "task '{id}' is locked",
    "err.locked.fix": "solve {tasks} first",
    "err.solved": "task '{id}' is already solved",
    "err.solved.fix": "'lab tasks' shows what is left",
    "err.exhausted": "no attempts left for task '{id}' ({limit} used)",
    "err.exhausted.fix": "'lab show {id}' shows the explanation",
    "err.no_hints": "task '{id}' has no hints",
    "err.no_hints.fix": "read the question again with 'lab show {id}'; the evidence holds "
                        "the answer",
    "err.takes_file": "task '{id}' takes a file, not a typed answer",
    "err.takes_file.fix": "save it under /work and run 'lab submit {id} PATH'",
    "err.takes_text": "task '{id}' takes a typed answer, not a file",
    "err.takes_text.fix": "run 'lab answer {id} VALUE'",
    "err.rate": "too many answers: at most {limit} a minute",
    "err.rate.fix": "wait {seconds} s and try again",
    # dflab's own lines around the lab (host side)
    "host.resume": "Session {session} of this scenario is still active. Resume it? [Y/n] ",
    "host.archived": "a copy of the work folder is kept in {path}",
    "host.stop_confirm": "Stop session {session} and delete its work folder? A copy is "
                         "archived first to {path}. [y/N] ",
    "host.stopped": "session {session} stopped",
    "host.work_kept": "the work folder was kept ('dflab gc --yes' removes it later)",
    "host.started": "session {session}: {title} ({backend} backend)",
    "host.resuming": "resuming session {session}: {title}",
    "host.not_isolated": "note: local lab: not isolated from this machine "
                         "(install Docker for a contained lab)",
    "host.keep": "Keep the lab for 'dflab resume'? [Y/n] ",
    "host.kept": "lab kept: run '{command}' to continue",
    "host.removed": "lab removed; '{command}' still shows the session",
    "col.task": "task", "col.state": "state", "col.points": "points",
    "col.attempts": "attempts", "col.hints": "hints", "col.total": "total",
    "state.correct": "solved", "state.partial": "partly right", "state.wrong": "wrong",
    "state.locked": "locked", "state.open": "open", "state.exhausted": "closed",
}

UK: dict[str, str] = {
    "usage": (
        "використання: lab КОМАНДА [АРГУМЕНТИ] [--json]\n\n"
        "  lab tasks                 завдання, їхні бали та ваш поступ\n"
        "  lab show ID               повний текст завдання, взяті підказки й ваші спроби\n"
        "  lab answer ID ЗНАЧЕННЯ... відповісти на завдання (@файл читає відповідь із файлу)\n"
        "  lab submit ID ШЛЯХ        здати файл, який ви створили в /work\n"
        "  lab hint ID [--yes]       взяти наступну підказку (спершу покаже її ціну)\n"
        "  lab score                 ваш поточний рахунок\n"),
    "banner.local": "Локальна лабораторія (НЕ ізольована: ця оболонка працює на вашому "
                    "комп'ютері від вашого імені).",
    "banner.evidence": "Докази (лише читання): {path}",
    "banner.work":     "Ваша робоча тека:      {path}",
    "banner.begin": "Почніть з 'lab tasks'; 'lab --help' показує всі команди; "
                    "'exit' — вихід з лабораторії.",
    "tasks.head": "{title}  —  рахунок {score}",
    "tasks.tries": "спроби",
    "tasks.legend": "✔ розв'язано   ◐ частково   ✘ поки що неправильно   ⊘ заблоковано   "
                    "· ще не пробували",
    "tasks.time_left": "Залишилося часу: {hours} год {minutes} хв",
    "tasks.footer": "'lab show ID' — повний текст завдання; 'lab answer ID ЗНАЧЕННЯ' — "
                    "відповісти.",
    "show.head": "[{id}] балів: {points}, тип відповіді: {type}",
    "show.locked": "Заблоковано: спершу розв'яжіть {tasks}.",
    "show.hint": "Підказка {n} (-{cost} б.): {text}",
    "show.hints_left": "Доступно ще підказок: {n}, наступна коштує {cost} б.: 'lab hint {id}'.",
    "show.attempts_limited": "Спроби: використано {used} з {limit}, залишилося {left}.",
    "show.attempts_free": "Спроби: {used} (без обмежень).",
    "show.solved": "Розв'язано: {earned}/{points} б.",
    "explanation": "Пояснення: {text}",
    "status.correct": "ПРАВИЛЬНО",
    "status.partial": "ЧАСТКОВО ПРАВИЛЬНО",
    "status.wrong": "НЕПРАВИЛЬНО",
    "status.invalid": "НЕ ПРИЙНЯТО",
    "verdict.points": "завдання {task}: {earned}/{points} б.",
    "verdict.left": "залишилося спроб: {n}",
    "verdict.none_left": "спроб не залишилося: завдання закрите",
    "verdict.not_counted": "не зараховано як спробу",
    "verdict.unlocked": "Тепер відкрито: {tasks}.",
    "hint.confirm": "Підказка {n} з {total} до завдання {id} коштує {cost} б. "
                    "(за завдання можна буде отримати щонайбільше {after}). Взяти? [т/Н] ",
    "hint.declined": "Підказку не взято.",
    "hint.need_yes": "підказка коштує {cost} б. (виправлення: виконайте "
                     "'lab hint {id} --yes', щоб підтвердити)",
    "hint.none": "до завдання '{id}' більше немає підказок",
    "hint.text": "Підказка (мінус {cost} б.): {text}",
    "score.line": "Рахунок: {score}/{max} (розв'язано завдань: {solved} з {total}, "
                  "взято підказок: {hints})",
    "err.fix": "виправлення",
    "err.unknown_command": "невідома команда '{op}' (виправлення: виконайте 'lab --help')",
    "err.arguments": "неправильні аргументи для '{op}' (виправлення: виконайте 'lab --help')",
    "err.no_service": "служба лабораторії не працює ({path}) (виправлення: на основному "
                      "комп'ютері виконайте 'dflab resume' для цієї сесії)",
    "err.unreachable": "не вдається зв'язатися зі службою лабораторії: {error}",
    "err.unreadable_reply": "служба лабораторії надіслала незрозумілу відповідь",
    "err.file_too_big": "{path}: файл відповіді має {size} байтів, а дозволено {limit} "
                        "(виправлення: скоротіть його або здайте файл через 'lab submit')",
    "err.file_unreadable": "{path}: не вдається прочитати файл відповіді: {error}",
    "err.file_not_utf8": "{path}: байт {byte} не є текстом UTF-8 (виправлення: збережіть "
                         "файл у кодуванні UTF-8)",
    "err.text_not_utf8": "відповідь містить байти, що не є текстом UTF-8 (виправлення: "
                         "наберіть її знову або скористайтеся @файлом)",
    "err.too_long": "відповідь має {size} байтів, а дозволено {limit} (виправлення: "
                    "скоротіть її або здайте файл через 'lab submit')",
    "err.no_task": "завдання '{id}' немає",
    "err.no_task.fix": "'lab tasks' показує всі: {ids}",
    "err.locked": "завдання '{id}' заблоковане",
    "err.locked.fix": "спершу розв'яжіть {tasks}",
    "err.solved": "завдання '{id}' вже розв'язане",
    "err.solved.fix": "'lab tasks' покаже, що залишилося",
    "err.exhausted": "до завдання '{id}' спроб не залишилося (використано {limit})",
    "err.exhausted.fix": "'lab show {id}' покаже пояснення",
    "err.no_hints": "до завдання '{id}' підказок немає",
    "err.no_hints.fix": "перечитайте завдання через 'lab show {id}'; відповідь — у доказах",
    "err.takes_file": "завдання '{id}' приймає файл, а не набрану відповідь",
    "err.takes_file.fix": "збережіть його в /work і виконайте 'lab submit {id} ШЛЯХ'",
    "err.takes_text": "завдання '{id}' приймає набрану відповідь, а не файл",
    "err.takes_text.fix": "виконайте 'lab answer {id} ЗНАЧЕННЯ'",
    "err.rate": "забагато відповідей: не більше {limit} на хвилину",
    "err.rate.fix": "зачекайте {seconds} с і спробуйте ще раз",
    "host.resume": "Сесія {session} цього сценарію ще активна. Продовжити її? [Т/н] ",
    "host.archived": "копію робочої теки збережено в {path}",
    "host.stop_confirm": "Зупинити сесію {session} і видалити її робочу теку? Спершу копію "
                         "буде збережено в {path}. [т/Н] ",
    "host.stopped": "сесію {session} зупинено",
    "host.work_kept": "робочу теку залишено ('dflab gc --yes' видалить її пізніше)",
    "host.started": "сесія {session}: {title} (середовище {backend})",
    "host.resuming": "продовжуємо сесію {session}: {title}",
    "host.not_isolated": "увага: локальна лабораторія не ізольована від цього комп'ютера "
                         "(встановіть Docker, щоб лабораторія була ізольованою)",
    "host.keep": "Зберегти лабораторію для 'dflab resume'? [Т/н] ",
    "host.kept": "лабораторію збережено: щоб продовжити, виконайте '{command}'",
    "host.removed": "лабораторію видалено; '{command}' і далі показує сесію",
    "col.task": "завдання", "col.state": "стан", "col.points": "бали",
    "col.attempts": "спроби", "col.hints": "підказки", "col.total": "разом",
    "state.correct": "розв'язано", "state.partial": "частково", "state.wrong": "неправильно",
    "state.locked": "заблоковано", "state.open": "відкрите", "state.exhausted": "закрите",
}

RU: dict[str, str] = {
    "usage": (
        "использование: lab КОМАНДА [АРГУМЕНТЫ] [--json]\n\n"
        "  lab tasks                 задания, их баллы и ваш прогресс\n"
        "  lab show ID               полный текст задания, взятые подсказки и ваши попытки\n"
        "  lab answer ID ЗНАЧЕНИЕ... ответить на задание (@файл читает ответ из файла)\n"
        "  lab submit ID ПУТЬ        сдать файл, созданный вами в /work\n"
        "  lab hint ID [--yes]       взять следующую подсказку (сначала покажет её цену)\n"
        "  lab score                 ваш текущий счёт\n"),
    "banner.local": "Локальная лаборатория (НЕ изолирована: эта оболочка работает на вашем "
                    "компьютере от вашего имени).",
    "banner.evidence": "Доказательства (только чтение): {path}",
    "banner.work":     "Ваша рабочая папка:             {path}",
    "banner.begin": "Начните с 'lab tasks'; 'lab --help' покажет все команды; "
                    "'exit' — выход из лаборатории.",
    "tasks.head": "{title}  —  счёт {score}",
    "tasks.tries": "попытки",
    "tasks.legend": "✔ решено   ◐ частично   ✘ пока неверно   ⊘ заблокировано   · не начато",
    "tasks.time_left": "Осталось времени: {hours} ч {minutes} мин",
    "tasks.footer": "'lab show ID' — полный текст задания; 'lab answer ID ЗНАЧЕНИЕ' — ответить.",
    "show.head": "[{id}] баллов: {points}, тип ответа: {type}",
    "show.locked": "Заблокировано: сначала решите {tasks}.",
    "show.hint": "Подсказка {n} (-{cost} б.): {text}",
    "show.hints_left": "Доступно ещё подсказок: {n}, следующая стоит {cost} б.: 'lab hint {id}'.",
    "show.attempts_limited": "Попытки: использовано {used} из {limit}, осталось {left}.",
    "show.attempts_free": "Попытки: {used} (без ограничений).",
    "show.solved": "Решено: {earned}/{points} б.",
    "explanation": "Пояснение: {text}",
    "status.correct": "ВЕРНО",
    "status.partial": "ЧАСТИЧНО ВЕРНО",
    "status.wrong": "НЕВЕРНО",
    "status.invalid": "НЕ ПРИНЯТО",
    "verdict.points": "задание {task}: {earned}/{points} б.",
    "verdict.left": "осталось попыток: {n}",
    "verdict.none_left": "попыток не осталось: задание закрыто",
    "verdict.not_counted": "не засчитано как попытка",
    "verdict.unlocked": "Теперь открыто: {tasks}.",
    "hint.confirm": "Подсказка {n} из {total} к заданию {id} стоит {cost} б. "
                    "(за задание можно будет получить не более {after}). Взять? [д/Н] ",
    "hint.declined": "Подсказка не взята.",
    "hint.need_yes": "подсказка стоит {cost} б. (исправление: выполните "
                     "'lab hint {id} --yes', чтобы подтвердить)",
    "hint.none": "к заданию '{id}' больше нет подсказок",
    "hint.text": "Подсказка (минус {cost} б.): {text}",
    "score.line": "Счёт: {score}/{max} (решено заданий: {solved} из {total}, "
                  "взято подсказок: {hints})",
    "err.fix": "исправление",
    "err.unknown_command": "неизвестная команда '{op}' (исправление: выполните 'lab --help')",
    "err.arguments": "неверные аргументы для '{op}' (исправление: выполните 'lab --help')",
    "err.no_service": "служба лаборатории не работает ({path}) (исправление: на основном "
                      "компьютере выполните 'dflab resume' для этой сессии)",
    "err.unreachable": "не удаётся связаться со службой лаборатории: {error}",
    "err.unreadable_reply": "служба лаборатории прислала непонятный ответ",
    "err.file_too_big": "{path}: файл ответа занимает {size} байт, а допустимо {limit} "
                        "(исправление: сократите его или сдайте файл через 'lab submit')",
    "err.file_unreadable": "{path}: не удаётся прочитать файл ответа: {error}",
    "err.file_not_utf8": "{path}: байт {byte} не является текстом UTF-8 (исправление: "
                         "сохраните файл в кодировке UTF-8)",
    "err.text_not_utf8": "ответ содержит байты, не являющиеся текстом UTF-8 (исправление: "
                         "наберите его заново или используйте @файл)",
    "err.too_long": "ответ занимает {size} байт, а допустимо {limit} (исправление: "
                    "сократите его или сдайте файл через 'lab submit')",
    "err.no_task": "задания '{id}' нет",
    "err.no_task.fix": "'lab tasks' покажет все: {ids}",
    "err.locked": "задание '{id}' заблокировано",
    "err.locked.fix": "сначала решите {tasks}",
    "err.solved": "задание '{id}' уже решено",
    "err.solved.fix": "'lab tasks' покажет, что осталось",
    "err.exhausted": "к заданию '{id}' попыток не осталось (использовано {limit})",
    "err.exhausted.fix": "'lab show {id}' покажет пояснение",
    "err.no_hints": "к заданию '{id}' подсказок нет",
    "err.no_hints.fix": "перечитайте задание через 'lab show {id}'; ответ — в доказательствах",
    "err.takes_file": "задание '{id}' принимает файл, а не набранный ответ",
    "err.takes_file.fix": "сохраните его в /work и выполните 'lab submit {id} ПУТЬ'",
    "err.takes_text": "задание '{id}' принимает набранный ответ, а не файл",
    "err.takes_text.fix": "выполните 'lab answer {id} ЗНАЧЕНИЕ'",
    "err.rate": "слишком много ответов: не более {limit} в минуту",
    "err.rate.fix": "подождите {seconds} с и попробуйте снова",
    "host.resume": "Сессия {session} этого сценария ещё активна. Продолжить её? [Д/н] ",
    "host.archived": "копия рабочей папки сохранена в {path}",
    "host.stop_confirm": "Остановить сессию {session} и удалить её рабочую папку? Сначала "
                         "копия будет сохранена в {path}. [д/Н] ",
    "host.stopped": "сессия {session} остановлена",
    "host.work_kept": "рабочая папка оставлена ('dflab gc --yes' удалит её позже)",
    "host.started": "сессия {session}: {title} (среда {backend})",
    "host.resuming": "продолжаем сессию {session}: {title}",
    "host.not_isolated": "внимание: локальная лаборатория не изолирована от этого компьютера "
                         "(установите Docker, чтобы лаборатория была изолированной)",
    "host.keep": "Сохранить лабораторию для 'dflab resume'? [Д/н] ",
    "host.kept": "лаборатория сохранена: чтобы продолжить, выполните '{command}'",
    "host.removed": "лаборатория удалена; '{command}' по-прежнему показывает сессию",
    "col.task": "задание", "col.state": "состояние", "col.points": "баллы",
    "col.attempts": "попытки", "col.hints": "подсказки", "col.total": "итого",
    "state.correct": "решено", "state.partial": "частично", "state.wrong": "неверно",
    "state.locked": "заблокировано", "state.open": "открыто", "state.exhausted": "закрыто",
}

CATALOGUE: dict[str, dict[str, str]] = {"en": EN, "uk": UK, "ru": RU}
LANGUAGES = tuple(CATALOGUE)
# Answers that mean "yes" at a [y/N] prompt, in every language offered.
YES = frozenset({"y", "yes", "т", "так", "д", "да"})
NO = frozenset({"n", "no", "н", "ні", "нет"})


def base_lang(lang: str | None) -> str:
    """The catalogue language for ``lang`` (``uk-UA`` -> ``uk``), English when unknown."""
    code = (lang or DEFAULT_LANG).lower().replace("_", "-").split("-", 1)[0]
    return code if code in CATALOGUE else DEFAULT_LANG


def tr(key: str, lang: str | None = DEFAULT_LANG, **values: Any) -> str:
    """The message ``key`` in ``lang`` (English when that language lacks it), filled in."""
    text = CATALOGUE[base_lang(lang)].get(key) or EN[key]
    return text.format(**values) if values else text


def check_lang(code: str) -> str | None:
    """None when ``code`` is a language dflab speaks, else a one-line reason with the fix."""
    if base_lang(code) == code.lower().split("-", 1)[0] and code.strip():
        return None
    known = ", ".join(LANGUAGES)
    alias = LANG_ALIASES.get(code.lower())
    hint = f"did you mean '{alias}'? " if alias else ""
    return f"unknown language '{code}' ({hint}dflab speaks: {known})"
