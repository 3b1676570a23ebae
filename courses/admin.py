"""Admin for courses, lectures and enrolments. Staff who are not superusers see only their courses."""

from django.contrib import admin

from courses.models import Course, Enrolment, Lecture


class StaffedCoursesMixin:
    """Limit an admin's rows (and course choices) to courses the user teaches."""

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
    list_display = ("user", "course", "role", "created_at")
    list_filter = ("course", "role")
    search_fields = ("user__username", "user__email")
    autocomplete_fields = ("user",)
