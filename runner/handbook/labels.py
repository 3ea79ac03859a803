"""The handbook's own headings and labels, in the languages dflab ships."""

from __future__ import annotations

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "handbook": "Trainer's handbook", "objectives": "Learning objectives",
        "case": "The case", "evidence": "Evidence", "tasks": "Tasks", "task": "Task",
        "answer": "Answer", "solution": "Reference solution", "method": "Method",
        "hints": "Hints", "notes": "Teaching notes", "timing": "Timing", "level": "Level",
        "minutes": "minutes", "points": "Points", "cost": "costs", "requires": "After",
        "attempts": "Attempts", "unlimited": "unlimited", "sealed": "sealed (only its hash "
        "is in the scenario)", "per_variant": "computed from each trainee's variant",
        "seed": "seed", "same": "the same for every trainee",
        "blocks": "Blocks", "day": "Day", "audience": "Audience",
        "prerequisites": "Prerequisites", "planned": "planned (not written yet)",
        "contents": "Contents", "beginner": "beginner", "intermediate": "intermediate",
        "advanced": "advanced",
    },
    "uk": {
        "handbook": "Посібник викладача", "objectives": "Навчальні цілі",
        "case": "Фабула справи", "evidence": "Докази", "tasks": "Завдання",
        "task": "Завдання", "answer": "Відповідь", "solution": "Еталонне розв'язання",
        "method": "Методика", "hints": "Підказки", "notes": "Методичні примітки",
        "timing": "Тривалість", "level": "Рівень", "minutes": "хв",
        "points": "Бали", "cost": "коштує", "requires": "Після",
        "attempts": "Спроби", "unlimited": "без обмежень", "sealed": "запечатана (у "
        "сценарії лише її геш)", "per_variant": "обчислюється з варіанта кожного слухача",
        "seed": "seed", "same": "однакова для всіх слухачів",
        "blocks": "Блоки", "day": "День", "audience": "Для кого",
        "prerequisites": "Що потрібно знати заздалегідь", "planned": "заплановано (ще не "
        "написано)", "contents": "Зміст", "beginner": "початковий",
        "intermediate": "середній", "advanced": "поглиблений",
    },
    "ru": {
        "handbook": "Пособие преподавателя", "objectives": "Учебные цели",
        "case": "Фабула дела", "evidence": "Доказательства", "tasks": "Задания",
        "task": "Задание", "answer": "Ответ", "solution": "Эталонное решение",
        "method": "Методика", "hints": "Подсказки", "notes": "Методические заметки",
        "timing": "Продолжительность", "level": "Уровень", "minutes": "мин",
        "points": "Баллы", "cost": "стоит", "requires": "После",
        "attempts": "Попытки", "unlimited": "без ограничений", "sealed": "запечатан (в "
        "сценарии только его хеш)", "per_variant": "вычисляется из варианта каждого слушателя",
        "seed": "seed", "same": "одинаков для всех слушателей",
        "blocks": "Блоки", "day": "День", "audience": "Для кого",
        "prerequisites": "Что нужно знать заранее", "planned": "запланировано (ещё не "
        "написано)", "contents": "Содержание", "beginner": "начальный",
        "intermediate": "средний", "advanced": "продвинутый",
    },
}


def label(key: str, lang: str) -> str:
    return LABELS.get(lang, LABELS["en"]).get(key, LABELS["en"][key])
