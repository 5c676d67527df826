"""Arabic and English stop words, normalized by the same function as the text they filter."""

from __future__ import annotations

from index.normalize import normalize

_ARABIC = """
في من على إلى الى عن مع أن إن ان أو او ثم حتى كما لكن بل قد لقد كان كانت يكون تكون كانوا هو هي هم هن
أنا نحن أنت انت هذا هذه ذلك تلك هؤلاء أولئك الذي التي الذين اللذين اللتين اللواتي اللاتي ما ماذا من
متى أين اين كيف لماذا لم لما لن لا ليس ليست هل كم أي اي أية بعد قبل عند عندما حيث بين فيه فيها
منه منها عليه عليها إليه إليها اليه اليها به بها له لها لهم بهم منهم عنه عنها كل بعض غير أيضا ايضا
وفي ومن وعلى وإلى وعن ومع وأن وإن وقد وكان وكانت وهو وهي وهم ولا ولم ولن وما وهذا وهذه وذلك وكل
فقد فإن فان فهو فهي التي الذي هناك هنا إذا اذا إذ لدى لدي ضمن خلال نحو عبر مثل يا أما اما إما
و ف ب ل ك كذلك لذلك ذلك حين بينما إلا الا سوى دون فوق تحت أمام خلف وراء منذ
"""

_ENGLISH = """
a an the and or but if then of in on at to from by for with about as into onto over under
is are was were be been being am do does did done have has had having will would shall should
can could may might must this that these those it its it's they them their there here he him his
she her we us our you your i me my what which who whom whose when where why how many much
not no nor so than too very s t just also any all each some such only own same other both
again further once up down out off more most than during before after above below between through
"""

ARABIC_STOPWORDS = frozenset(normalize(w) for w in _ARABIC.split())
ENGLISH_STOPWORDS = frozenset(normalize(w) for w in _ENGLISH.split())
STOPWORDS = ARABIC_STOPWORDS | ENGLISH_STOPWORDS


def is_stopword(norm_word: str) -> bool:
    return norm_word in STOPWORDS
