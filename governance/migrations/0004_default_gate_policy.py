from django.db import migrations


def install(apps, schema_editor):
    from governance.services import gate_policy_install_defaults

    gate_policy_install_defaults()


class Migration(migrations.Migration):
    dependencies = [("governance", "0003_gate_reviews_and_policy")]

    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
