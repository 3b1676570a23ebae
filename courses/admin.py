"""Admin for courses, lectures, enrolments and users. Staff who are not superusers see only their
courses: the rows, the choices of related fields, the list filters' choices, and the people."""

from django.contrib import admin
from django.contrib.admin.utils import NotRelationField, get_fields_from_path
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import FieldDoesNotExist

from courses.models import Course, Enrolment, Lecture

ENROLMENT_USER_HELP = (
    "Students join with the course's enrolment code, which they type on their course list. Here you "
    "can only pick someone already enrolled in one of your courses, e.g. to make a student a "
    "teaching assistant in another of your courses or to change a role."
)


def course_people(user):
    """The users enrolled, in any role, in a course ``user`` teaches (everyone for superusers): the
    people a member of staff may find and pick in the admin."""
    users = get_user_model().objects.all()
    if user.is_superuser:
        return users
    taught = Enrolment.objects.filter(course__in=Course.objects.staffed_by(user))
    return users.filter(pk__in=taught.values("user"))


class StaffedRelatedFilter(admin.RelatedOnlyFieldListFilter):
    """A list filter on a related field (course, lecture, quiz, …) that offers staff who are not
    superusers only the related rows of the rows they may see, so no other course's titles reach
    them; superusers get every related row, as Django's plain filter gives."""

    def field_choices(self, field, request, model_admin):
        if request.user.is_superuser:
            return admin.RelatedFieldListFilter.field_choices(self, field, request, model_admin)
        return super().field_choices(field, request, model_admin)


def _is_relation(model, path: str) -> bool:
    try:
        return get_fields_from_path(model, path)[-1].is_relation
    except (FieldDoesNotExist, NotRelationField):
        return False


class StaffedCoursesMixin:
    """Limit an admin's rows, its course choices and its list filters' choices (every related-field
    filter becomes a ``StaffedRelatedFilter``) to courses the user teaches."""

    course_path = "course"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{f"{self.course_path}__in": Course.objects.staffed_by(request.user)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "course" and not request.user.is_superuser:
            kwargs["queryset"] = Course.objects.staffed_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_list_filter(self, request):
        return [
            (item, StaffedRelatedFilter) if isinstance(item, str) and _is_relation(self.model, item) else item
            for item in super().get_list_filter(request)
        ]


class LectureInline(admin.TabularInline):
    model = Lecture
    extra = 0
    fields = ("number", "title", "slug", "release_date")
    prepopulated_fields = {"slug": ("title",)}


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("title", "term", "slug", "enrolment_code", "enrolment_open")
    search_fields = ("title", "slug", "term")
    list_filter = ("enrolment_open", "term")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [LectureInline]

    def get_queryset(self, request):
        return (
            Course.objects.staffed_by(request.user)
            if not request.user.is_superuser
            else super().get_queryset(request)
        )


@admin.register(Lecture)
class LectureAdmin(StaffedCoursesMixin, admin.ModelAdmin):
    list_display = ("__str__", "course", "release_date")
    list_filter = ("course",)
    search_fields = ("title",)
    prepopulated_fields = {"slug": ("title",)}


@admin.register(Enrolment)
class EnrolmentAdmin(StaffedCoursesMixin, admin.ModelAdmin):
    """Enrolments; staff who are not superusers pick the user only among ``course_people``."""

    list_display = ("user", "course", "role", "created_at")
    list_filter = ("course", "role")
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)

    def get_autocomplete_fields(self, request):
        # The search asks the user admin (``CourseUserAdmin``, scoped like this form); staff without
        # the permission to view users would find nobody there, so they get a menu of the same people.
        user_admin = self.admin_site.get_model_admin(get_user_model())
        return super().get_autocomplete_fields(request) if user_admin.has_view_permission(request) else ()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # The menu (or search) offers only these people, and the form refuses any other user's id.
            kwargs["queryset"] = course_people(request.user).order_by(get_user_model().USERNAME_FIELD)
            kwargs["help_text"] = ENROLMENT_USER_HELP
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CourseUserAdmin(UserAdmin):
    """Django's user admin, where staff who are not superusers see, and the enrolment form's search
    finds, only ``course_people``: no one can discover other accounts through the admin."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(pk__in=course_people(request.user).values("pk"))


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), CourseUserAdmin)
