"""The pgvector copy of the vectors (IdeaVector), created only where the PostgreSQL server has pgvector."""

import django.db.models.deletion
import pgvector.django.indexes
import pgvector.django.vector
from django.db import migrations, models


def install(apps, schema_editor):
    from prosumo.ideas.similarity import install_pgvector

    install_pgvector(apps, schema_editor)


def uninstall(apps, schema_editor):
    from prosumo.ideas.similarity import uninstall_pgvector

    uninstall_pgvector(apps, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("ideas", "0017_amendments"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdeaVector",
                    fields=[
                        (
                            "embedding",
                            models.OneToOneField(
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                primary_key=True,
                                related_name="+",
                                serialize=False,
                                to="ideas.ideaembedding",
                            ),
                        ),
                        ("idea_id", models.BigIntegerField()),
                        ("campaign_id", models.BigIntegerField()),
                        ("vector", pgvector.django.vector.VectorField(dimensions=512)),
                    ],
                    options={
                        "indexes": [
                            pgvector.django.indexes.HnswIndex(
                                ef_construction=128,
                                fields=["vector"],
                                m=32,
                                name="idea_vector_hnsw",
                                opclasses=["vector_ip_ops"],
                            ),
                            models.Index(fields=["campaign_id"], name="idea_vector_campaign"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(install, uninstall),
    ]
