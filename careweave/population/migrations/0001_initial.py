from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="PopulationDataset",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("path", models.CharField(max_length=500, unique=True, verbose_name="path")),
                ("source", models.CharField(default="synthetic", max_length=20, verbose_name="source")),
                ("persons", models.PositiveIntegerField(default=0, verbose_name="persons")),
                ("seed", models.BigIntegerField(blank=True, null=True, verbose_name="seed")),
                ("zone", models.CharField(blank=True, max_length=40, verbose_name="zone")),
                ("generated_at", models.DateTimeField(blank=True, null=True, verbose_name="generated at")),
                ("loaded_at", models.DateTimeField(auto_now=True, verbose_name="loaded at")),
            ],
            options={
                "verbose_name": "population dataset",
                "verbose_name_plural": "population datasets",
                "permissions": [("view_outreach_list", "Can view the person-level outreach list")],
            },
        ),
    ]
