"""Questions from other quiz systems: Moodle XML and GIFT files read into one neutral form
(``imported``), mapped onto our kinds (``mapping``) and created in a lecture's quizzes (``services``)."""
