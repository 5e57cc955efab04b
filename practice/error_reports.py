"""Error reports that carry no client data.

When something fails in production, Django can send a report (to ADMINS by email, or to
whatever a deployment plugs in) with the request's form fields and every local variable
of the traceback. Here those hold intake answers, notes, names and payment details, and a
report is sent to people and places that must never see them. So outside DEBUG every
form value and every frame variable is masked: the report keeps the path, the field names
and the code's lines, which is what a fix needs.
"""

from django.views.debug import SafeExceptionReporterFilter


class PrivateExceptionReporterFilter(SafeExceptionReporterFilter):
    def get_post_parameters(self, request):
        if request is None or not self.is_active(request):
            return super().get_post_parameters(request)
        return {name: self.cleansed_substitute for name in request.POST}

    def get_traceback_frame_variables(self, request, tb_frame):
        if not self.is_active(request):
            return super().get_traceback_frame_variables(request, tb_frame)
        return [(name, self.cleansed_substitute) for name in tb_frame.f_locals]
