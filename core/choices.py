"""Vocabularies shared by several apps (partners, involvement, forum, reports).

Labels are the plain-English words people see; see the strategy's note on language."""

from django.db import models


class InvolvementMethod(models.TextChoices):
    WORKSHOP = "workshop", "Workshop"
    FOCUS_GROUP = "focus_group", "Focus group"
    CO_DESIGN = "co_design", "Co-design session"
    ADVISORY_GROUP = "advisory_group", "Advisory group"
    INTERVIEW = "interview", "Interview"
    SURVEY = "survey", "Survey"
    DOCUMENT_REVIEW = "document_review", "Reviewing documents"
    RECRUITMENT_PANEL = "recruitment_panel", "Recruitment panel"
    TRAINING = "training", "Training and development session"
    EVENT = "event", "Event or knowledge-sharing session"
    FORUM_MEETING = "forum_meeting", "Forum meeting"


class LadderLevel(models.TextChoices):
    """The ladder of co-production, lowest rung first."""

    INFORMING = "informing", "Informing"
    CONSULTATION = "consultation", "Consultation"
    ENGAGEMENT = "engagement", "Engagement"
    CO_DESIGN = "co_design", "Co-design"
    CO_PRODUCTION = "co_production", "Co-production"


class InnovationStage(models.TextChoices):
    NEEDS = "needs_articulation", "Needs articulation"
    DESIGN = "design", "Design"
    TESTING = "testing", "Testing"
    IMPLEMENTATION = "implementation", "Implementation"
    SPREAD = "spread_and_adoption", "Spread and adoption"


class ActivityFormat(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    ONLINE = "online", "Online"
    HYBRID = "hybrid", "Hybrid (in person and online)"
    ASYNCHRONOUS = "asynchronous", "In your own time (for example by email or post)"


class SeldomHeardGroup(models.TextChoices):
    MINORITY_ETHNIC = "minority_ethnic", "People from minority ethnic communities"
    FAITH = "faith", "Faith and belief communities"
    LGBTQ = "lgbtq", "Lesbian, gay, bisexual, trans and queer people"
    DISABLED = "disabled", "Disabled people"
    LEARNING_DISABILITY = "learning_disability", "People with a learning disability or autistic people"
    MENTAL_HEALTH = "mental_health", "People living with mental ill health"
    OLDER = "older", "Older people"
    YOUNG = "young", "Children and young people"
    LOW_INCOME = "low_income", "People on low incomes"
    HOMELESS = "homeless", "People experiencing homelessness"
    RESIDENTIAL = "residential", "People living in care homes or residential services"
    PRISON = "prison", "People in prison or leaving prison"
    TRAVELLERS = "travellers", "Gypsy, Roma and Traveller communities"
    DEAF = "deaf", "Deaf people"
    BLIND = "blind", "Blind and partially sighted people"
    ENGLISH_NOT_FIRST = "english_not_first", "People whose first language is not English"
    CARERS = "carers", "Unpaid carers"
    RURAL = "rural", "People in rural or coastal communities"


class SupportType(models.TextChoices):
    INTERPRETER = "interpreter", "Language interpreter"
    BSL = "bsl", "British Sign Language interpreter"
    CARER_COSTS = "carer_costs", "Carer or childcare costs"
    BOOKED_TRAVEL = "booked_travel", "Travel booked for them"
    EASY_READ = "easy_read", "Easy read materials"
    LARGE_PRINT = "large_print", "Large print materials"
    ACCESSIBLE_VENUE = "accessible_venue", "Accessible venue"
    DIGITAL = "digital", "Digital support (device, data or help getting online)"
    PRE_MEETING = "pre_meeting", "Pre-meeting briefing"


class ContactMethod(models.TextChoices):
    EMAIL = "email", "Email"
    PHONE = "phone", "Phone call"
    TEXT = "text", "Text message"
    POST = "post", "Post"


class CommunicationNeed(models.TextChoices):
    LARGE_PRINT = "large_print", "Large print"
    EASY_READ = "easy_read", "Easy read"
    BSL = "bsl", "British Sign Language interpreter"
    OTHER_LANGUAGE = "other_language", "Information in another language"


class PaymentPreference(models.TextChoices):
    PAY = "pay", "I want to be paid for my time and expenses"
    EXPENSES_ONLY = "expenses_only", "Expenses only"
    VOUCHERS = "vouchers", "Vouchers instead of payment"
    DECLINE = "decline", "I do not want to be paid"
